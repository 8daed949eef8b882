/**
 * The vector kernel's O(n²) operations in WebAssembly SIMD (f64x2), the same arithmetic as
 * kernelOps.ts element by element: each output is summed sequentially over j, first product first,
 * with a separate multiply and add (no fused multiply–add), so the bits are the reference's. The
 * two lanes of a v128 are two neighbouring OUTPUTS, never two terms of one sum.
 *
 *   gemvT(A, x, len, rows, out):  out[r] = Σ_j A[j·rows + r]·x[j]   (byte addresses; len, rows ≥ 1)
 *   gemm(A, G, gStep, V, vStep, steps, rows, cols, ld):      A[r·ld + j] += G[s·gStep + r]·V[s·vStep + j], s = 0..steps−1
 *       in that order, for r < rows, j < cols, both multiples of 4: a 4×4 tile of A stays in registers over all steps
 *   gemmEdge(A, G, gStep, V, vStep, steps, r0, r1, j0, j1, ld): the same sums for r0 ≤ r < r1, j0 ≤ j < j1, one at a time
 *   gemvTMany(A, x, xStep, len, rows, out, outStep, count):  gemvT on `count` vectors x, x + xStep, …
 *   forwardTanh, backwardTanh: a block of forward steps, one backward step, with φ = tanh (wasm/tanh.ts)
 *   rank1(A, g, v, rows, cols):  A[r·cols + j] += g[r]·v[j]
 * (Byte addresses and byte strides; a negative stride, as an i32, walks the steps backwards.)
 */
import { F64, I32, V128, assemble, code, op, type WasmFunction } from './assemble';
import { tanh2Fn, tanhFn } from './tanh';

// gemvT's locals: the five params, then these.
const A = 0, X = 1, LEN = 2, ROWS = 3, OUT = 4;
const R = 5, J = 6, PA = 7, STRIDE = 8, PX = 9, XV = 10, ACC = 11, SUM = 19;

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
  locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, F64],
  // Sixteen outputs per pass while they last (n = 32: two passes over j instead of four), then eight, two, one.
  body: code(op.get(ROWS), op.i32(3), op.i32Shl, op.set(STRIDE), gemvBlock(16), gemvBlock(8), gemvBlock(2), gemvScalar),
};

// gemm's and gemmEdge's locals: the params (gemmEdge has r0, r1, j0, j1 for rows, cols), then these.
const GA = 0, GG = 1, GSTEP = 2, GVV = 3, VSTEP = 4, STEPS = 5, ROWS4 = 6, COLS4 = 7, LD = 8;
const R0 = 6, R1 = 7, J0 = 8, J1 = 9, LDE = 10;

/** The inner sum over steps: PG, PV start at step 0; `body` accumulates one step's products. */
const overSteps = (S: number, PG: number, PV: number, body: number[]): number[] => code(
  op.i32(0), op.set(S),
  op.block, op.loop,
  op.get(S), op.get(STEPS), op.i32GeU, op.brIf(1),
  body,
  op.get(PG), op.get(GSTEP), op.i32Add, op.set(PG),
  op.get(PV), op.get(VSTEP), op.i32Add, op.set(PV),
  inc(S, 1), op.br(0),
  op.end, op.end,
);

/** A += Σ_s G_s·V_sᵀ over 4×4 tiles: 8 v128 accumulators (rows q = 0..3, column pairs c = 0, 1). */
function gemmBody(): number[] {
  const TR = 9, TJ = 10, S = 11, PA = 12, PG = 13, PV = 14, P = 15, V0 = 16, V1 = 17, GQ = 18, ACC = 19;
  const tile = [0, 1, 2, 3].flatMap((q) => [0, 1].map((c) => ({ q, c, acc: ACC + 2 * q + c })));
  const rowByRow = (f: (t: { q: number; c: number; acc: number }) => number[]): number[] => code(
    op.get(PA), op.set(P),
    [0, 1, 2, 3].map((q) => code(
      tile.filter((t) => t.q === q).map(f),
      op.get(P), op.get(LD), op.i32Add, op.set(P),
    )),
  );
  return code(
    op.block, op.loop,
    op.get(TR), op.get(ROWS4), op.i32GeU, op.brIf(1),
    op.i32(0), op.set(TJ),
    op.block, op.loop,
    op.get(TJ), op.get(COLS4), op.i32GeU, op.brIf(1),
    op.get(GA), op.get(TR), op.get(LD), op.i32Mul, op.i32Add, shl3(TJ), op.i32Add, op.set(PA),
    // The tile of A into registers; the sums over the steps; the tile back.
    rowByRow((t) => code(op.get(P), op.v128Load(16 * t.c), op.set(t.acc))),
    op.get(GG), shl3(TR), op.i32Add, op.set(PG),
    op.get(GVV), shl3(TJ), op.i32Add, op.set(PV),
    overSteps(S, PG, PV, code(
      op.get(PV), op.v128Load(0), op.set(V0),
      op.get(PV), op.v128Load(16), op.set(V1),
      [0, 1, 2, 3].map((q) => code(
        op.get(PG), op.v128Load64Splat(8 * q), op.set(GQ),
        [V0, V1].map((v, c) => code(op.get(ACC + 2 * q + c), op.get(GQ), op.get(v), op.f64x2Mul, op.f64x2Add, op.set(ACC + 2 * q + c))),
      )),
    )),
    rowByRow((t) => code(op.get(P), op.get(t.acc), op.v128Store(16 * t.c))),
    inc(TJ, 4), op.br(0),
    op.end, op.end,
    inc(TR, 4), op.br(0),
    op.end, op.end,
  );
}

const gemm: WasmFunction = {
  name: 'gemm',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128],
  body: gemmBody(),
};

/** gemm's sums one element at a time, for the rows and columns outside its 4×4 tiles. */
function gemmEdgeBody(): number[] {
  const ER = 11, EJ = 12, S = 13, P = 14, PG = 15, PV = 16, SUM = 17;
  return code(
    op.get(R0), op.set(ER),
    op.block, op.loop,
    op.get(ER), op.get(R1), op.i32GeU, op.brIf(1),
    op.get(J0), op.set(EJ),
    op.block, op.loop,
    op.get(EJ), op.get(J1), op.i32GeU, op.brIf(1),
    op.get(GA), op.get(ER), op.get(LDE), op.i32Mul, op.i32Add, shl3(EJ), op.i32Add, op.tee(P), op.f64Load(), op.set(SUM),
    op.get(GG), shl3(ER), op.i32Add, op.set(PG),
    op.get(GVV), shl3(EJ), op.i32Add, op.set(PV),
    overSteps(S, PG, PV, code(op.get(SUM), op.get(PG), op.f64Load(), op.get(PV), op.f64Load(), op.f64Mul, op.f64Add, op.set(SUM))),
    op.get(P), op.get(SUM), op.f64Store(),
    inc(EJ, 1), op.br(0),
    op.end, op.end,
    inc(ER, 1), op.br(0),
    op.end, op.end,
  );
}

const gemmEdge: WasmFunction = {
  name: 'gemmEdge',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, I32, F64],
  body: gemmEdgeBody(),
};

// gemvTMany's params; C counts the calls.
const MX = 1, XSTEP = 2, MLEN = 3, MROWS = 4, MOUT = 5, OUTSTEP = 6, COUNT = 7, C = 8;
const gemvTMany: WasmFunction = {
  name: 'gemvTMany',
  params: [I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32],
  body: code(
    op.block, op.loop,
    op.get(C), op.get(COUNT), op.i32GeU, op.brIf(1),
    op.get(A), op.get(MX), op.get(MLEN), op.get(MROWS), op.get(MOUT), op.call(0),
    op.get(MX), op.get(XSTEP), op.i32Add, op.set(MX),
    op.get(MOUT), op.get(OUTSTEP), op.i32Add, op.set(MOUT),
    inc(C, 1), op.br(0),
    op.end, op.end,
  ),
};

// forwardTanh's params, then its locals.
const FWT = 0, FHPREV = 1, FH = 2, FS = 3, FVX = 4, FB = 5, FWH = 6, FN = 7, FCOUNT = 8, FC = 9, FOFF = 10, FST = 11, FNB = 12, FST2 = 13;
/** Loads the f64 at byte address base + FOFF. */
const at = (base: number): number[] => code(op.get(base), op.get(FOFF), op.i32Add, op.f64Load());
const at2 = (base: number): number[] => code(op.get(base), op.get(FOFF), op.i32Add, op.v128Load());
/**
 * forwardTanh(WT, hPrev, h, s, Vx, b, Wh, n, count): `count` steps of the forward recurrence with φ = tanh,
 *   Wh = Wᵀ·h_{t-1} (gemvT),  s_t = (Wh + Vx_t) + b,  h_t = tanh(s_t)   (the kernel's JS loop, in the same order)
 * h_{t-1} is hPrev at the first step, then the previous h; h, s and Vx advance by n doubles a step.
 */
const forwardTanh: WasmFunction = {
  name: 'forwardTanh',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, F64, I32, V128],
  body: code(
    shl3(FN), op.set(FNB),
    op.block, op.loop,
    op.get(FC), op.get(FCOUNT), op.i32GeU, op.brIf(1),
    op.get(FWT), op.get(FHPREV), op.get(FN), op.get(FN), op.get(FWH), op.call(0),
    op.i32(0), op.set(FOFF),
    // Two units at a time (tanh2, function 7), then the last odd one.
    op.block, op.loop,
    op.get(FOFF), op.i32(8), op.i32Add, op.get(FNB), op.i32GeU, op.brIf(1),
    at2(FWH), at2(FVX), op.f64x2Add, at2(FB), op.f64x2Add, op.set(FST2),
    op.get(FS), op.get(FOFF), op.i32Add, op.get(FST2), op.v128Store(),
    op.get(FH), op.get(FOFF), op.i32Add, op.get(FST2), op.call(7), op.v128Store(),
    inc(FOFF, 16), op.br(0),
    op.end, op.end,
    op.block, op.loop,
    op.get(FOFF), op.get(FNB), op.i32GeU, op.brIf(1),
    at(FWH), at(FVX), op.f64Add, at(FB), op.f64Add, op.set(FST),
    op.get(FS), op.get(FOFF), op.i32Add, op.get(FST), op.f64Store(),
    op.get(FH), op.get(FOFF), op.i32Add, op.get(FST), op.call(4), op.f64Store(),
    inc(FOFF, 8), op.br(0),
    op.end, op.end,
    op.get(FH), op.set(FHPREV),
    op.get(FH), op.get(FNB), op.i32Add, op.set(FH),
    op.get(FS), op.get(FNB), op.i32Add, op.set(FS),
    op.get(FVX), op.get(FNB), op.i32Add, op.set(FVX),
    inc(FC, 1), op.br(0),
    op.end, op.end,
  ),
};

// backwardTanh's params, then its locals.
const BW = 0, BU = 1, BDZ = 2, BK = 3, BGNEXT = 4, BH = 5, BG = 6, BN = 7, BLOCAL = 8, BREC = 9, BHASLOCAL = 10, BHASREC = 11, BDU = 12;
const BOFF = 13, BNB = 14;
const atB = (base: number): number[] => code(op.get(base), op.get(BOFF), op.i32Add, op.f64Load());
/**
 * backwardTanh(W, U, dz, k, gNext, h, g, n, local, rec, hasLocal, hasRec, dU): one step of the backward
 * pass with φ = tanh, the kernel's JS loop in the same order:
 *   if hasLocal: dU += dz·hᵀ (rank1), local = Uᵀ·dz (gemvT)
 *   if hasRec:   rec = Wᵀ·gNext (gemvT)
 *   g[r] = ((hasLocal ? local[r] : 0) + (hasRec ? rec[r] : 0))·(1 − h[r]·h[r])
 */
const backwardTanh: WasmFunction = {
  name: 'backwardTanh',
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32],
  body: code(
    shl3(BN), op.set(BNB),
    op.get(BHASLOCAL), op.if,
    op.get(BDU), op.get(BDZ), op.get(BH), op.get(BK), op.get(BN), op.call(8),
    op.get(BU), op.get(BDZ), op.get(BK), op.get(BN), op.get(BLOCAL), op.call(0),
    op.end,
    op.get(BHASREC), op.if,
    op.get(BW), op.get(BGNEXT), op.get(BN), op.get(BN), op.get(BREC), op.call(0),
    op.end,
    op.block, op.loop,
    op.get(BOFF), op.get(BNB), op.i32GeU, op.brIf(1),
    op.get(BG), op.get(BOFF), op.i32Add,
    atB(BLOCAL), op.f64(0), op.get(BHASLOCAL), op.select,
    atB(BREC), op.f64(0), op.get(BHASREC), op.select, op.f64Add,
    op.f64(1), atB(BH), atB(BH), op.f64Mul, op.f64Sub, op.f64Mul,
    op.f64Store(),
    inc(BOFF, 8), op.br(0),
    op.end, op.end,
  ),
};

// rank1's params, then its locals.
const KA = 0, KG = 1, KV = 2, KROWS = 3, KCOLS = 4, KR = 5, KPA = 6, KPV = 7, KEND = 8, KGS = 9, KGR = 10;
/** rank1(A, g, v, rows, cols): A[r·cols + j] += g[r]·v[j], two j at a time (each element one product and one sum). */
const rank1: WasmFunction = {
  name: 'rank1',
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, F64, V128],
  body: code(
    op.get(KA), op.set(KPA),
    op.block, op.loop,
    op.get(KR), op.get(KROWS), op.i32GeU, op.brIf(1),
    op.get(KG), shl3(KR), op.i32Add, op.f64Load(), op.tee(KGS), op.f64x2Splat, op.set(KGR),
    op.get(KV), op.tee(KPV), op.get(KCOLS), op.i32(3), op.i32Shl, op.i32Add, op.set(KEND),
    op.block, op.loop,
    op.get(KPV), op.i32(8), op.i32Add, op.get(KEND), op.i32GeU, op.brIf(1),
    op.get(KPA), op.get(KPA), op.v128Load(), op.get(KGR), op.get(KPV), op.v128Load(), op.f64x2Mul, op.f64x2Add, op.v128Store(),
    inc(KPA, 16), inc(KPV, 16), op.br(0),
    op.end, op.end,
    op.get(KPV), op.get(KEND), op.i32LtU, op.if,
    op.get(KPA), op.get(KPA), op.f64Load(), op.get(KGS), op.get(KPV), op.f64Load(), op.f64Mul, op.f64Add, op.f64Store(),
    inc(KPA, 8),
    op.end,
    inc(KR, 1), op.br(0),
    op.end, op.end,
  ),
};

/**
 * The module's bytes: imports env.mem, exports gemvT (function 0, which gemvTMany, forwardTanh and
 * backwardTanh call), gemm, gemmEdge (function 2), gemvTMany, tanh (function 4: wasm/tanh.ts),
 * forwardTanh, backwardTanh, tanh2 (function 7) and rank1 (function 8, which backwardTanh calls).
 */
export const SIMD_WASM = assemble([gemvT, gemm, gemmEdge, gemvTMany, tanhFn, forwardTanh, backwardTanh, tanh2Fn, rank1]);
