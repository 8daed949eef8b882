/**
 * The vector kernel's O(n²) operations in WebAssembly SIMD (f64x2), the same arithmetic as
 * kernelOps.ts element by element: each output is summed sequentially over j, first product first,
 * with a separate multiply and add (no fused multiply–add), so the bits are the reference's. The
 * two lanes of a v128 are two neighbouring OUTPUTS, never two terms of one sum.
 *
 *   gemvT(A, x, len, rows, out):  out[r] = Σ_j A[j·rows + r]·x[j]   (byte addresses; len, rows ≥ 1)
 *   rank1(A, g, v, rows, cols):   A[r·cols + j] += g[r]·v[j]
 */
import { F64, I32, V128, assemble, code, op, type WasmFunction } from './assemble';

// gemvT's locals: the five params, then these.
const A = 0, X = 1, LEN = 2, ROWS = 3, OUT = 4;
const R = 5, J = 6, PA = 7, STRIDE = 8, PX = 9, XV = 10, ACC = 11, SUM = 15;

const shl3 = (i: number): number[] => code(op.get(i), op.i32(3), op.i32Shl);
const inc = (i: number, by: number): number[] => code(op.get(i), op.i32(by), op.i32Add, op.set(i));

/** gemvT on `width` outputs per pass over j (width/2 v128 accumulators), while `width` remain. */
function gemvBlock(width: number): number[] {
  const accs = Array.from({ length: width / 2 }, (_, a) => a);
  return code(
    op.block, op.loop,
    op.get(R), op.i32(width), op.i32Add, op.get(ROWS), op.i32GtU, op.brIf(1),
    // j = 0: acc = A[r..]·x_0, the first products
    op.get(A), shl3(R), op.i32Add, op.set(PA),
    op.get(X), op.tee(PX), op.f64Load(), op.f64x2Splat, op.set(XV),
    accs.map((a) => code(op.get(PA), op.v128Load(16 * a), op.get(XV), op.f64x2Mul, op.set(ACC + a))),
    // j = 1..len-1: acc += A[j·rows + r..]·x_j
    op.i32(1), op.set(J),
    op.block, op.loop,
    op.get(J), op.get(LEN), op.i32GeU, op.brIf(1),
    op.get(PA), op.get(STRIDE), op.i32Add, op.set(PA),
    inc(PX, 8), op.get(PX), op.f64Load(), op.f64x2Splat, op.set(XV),
    accs.map((a) => code(op.get(ACC + a), op.get(PA), op.v128Load(16 * a), op.get(XV), op.f64x2Mul, op.f64x2Add, op.set(ACC + a))),
    inc(J, 1), op.br(0),
    op.end, op.end,
    op.get(OUT), shl3(R), op.i32Add, op.set(PA),
    accs.map((a) => code(op.get(PA), op.get(ACC + a), op.v128Store(16 * a))),
    inc(R, width), op.br(0),
    op.end, op.end,
  );
}

/** gemvT on one output per pass over j, for the last odd one. */
const gemvScalar = code(
  op.block, op.loop,
  op.get(R), op.get(ROWS), op.i32GeU, op.brIf(1),
  op.get(A), shl3(R), op.i32Add, op.tee(PA), op.f64Load(), op.get(X), op.tee(PX), op.f64Load(), op.f64Mul, op.set(SUM),
  op.i32(1), op.set(J),
  op.block, op.loop,
  op.get(J), op.get(LEN), op.i32GeU, op.brIf(1),
  op.get(PA), op.get(STRIDE), op.i32Add, op.set(PA),
  inc(PX, 8),
  op.get(SUM), op.get(PA), op.f64Load(), op.get(PX), op.f64Load(), op.f64Mul, op.f64Add, op.set(SUM),
  inc(J, 1), op.br(0),
  op.end, op.end,
  op.get(OUT), shl3(R), op.i32Add, op.get(SUM), op.f64Store(),
  inc(R, 1), op.br(0),
  op.end, op.end,
);

const gemvT: WasmFunction = {
  name: 'gemvT',
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, F64],
  body: code(op.get(ROWS), op.i32(3), op.i32Shl, op.set(STRIDE), gemvBlock(8), gemvBlock(2), gemvScalar),
};

// rank1's locals: the five params, then these.
const G = 1, VV = 2, COLS = 4;
const RR = 5, JJ = 6, ROW = 7, P = 8, GV = 9, GR = 10, PV = 11;

/** rank1 on `width` columns at a time (width/2 v128 each): A[r, j..] += g_r·v[j..], while `width` remain. */
function rank1Block(width: number): number[] {
  const lanes = Array.from({ length: width / 2 }, (_, a) => 16 * a);
  return code(
    op.block, op.loop,
    op.get(JJ), op.i32(width), op.i32Add, op.get(COLS), op.i32GtU, op.brIf(1),
    op.get(ROW), shl3(JJ), op.i32Add, op.set(P),
    op.get(VV), shl3(JJ), op.i32Add, op.set(PV),
    lanes.map((o) => code(
      op.get(P), op.get(P), op.v128Load(o), op.get(GV), op.get(PV), op.v128Load(o), op.f64x2Mul, op.f64x2Add, op.v128Store(o),
    )),
    inc(JJ, width), op.br(0),
    op.end, op.end,
  );
}

const rank1: WasmFunction = {
  name: 'rank1',
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, V128, F64, I32],
  body: code(
    op.get(A), op.set(ROW),
    op.block, op.loop,
    op.get(RR), op.get(ROWS), op.i32GeU, op.brIf(1),
    op.get(G), shl3(RR), op.i32Add, op.f64Load(), op.tee(GR), op.f64x2Splat, op.set(GV),
    op.i32(0), op.set(JJ),
    rank1Block(8), rank1Block(2),
    // The last odd column.
    op.get(JJ), op.get(COLS), op.i32LtU, op.if,
    op.get(ROW), shl3(JJ), op.i32Add, op.tee(P),
    op.get(P), op.f64Load(), op.get(GR), op.get(VV), shl3(JJ), op.i32Add, op.f64Load(), op.f64Mul, op.f64Add,
    op.f64Store(),
    op.end,
    op.get(ROW), shl3(COLS), op.i32Add, op.set(ROW),
    inc(RR, 1), op.br(0),
    op.end, op.end,
  ),
};

/** The module's bytes: imports env.mem, exports gemvT and rank1. */
export const SIMD_WASM = assemble([gemvT, rank1]);
