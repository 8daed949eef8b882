/**
 * src/core/tanh.ts in WebAssembly, operation for operation: the same constants, the same + − × ÷
 * in the same order (wasm f64 arithmetic is IEEE round-to-nearest with no fused multiply–add, as
 * JS's, and each f64x2 lane is one such double), and 2^k built from its exponent bits instead of
 * read from a table (the same double). So the same bits for every input
 * (test/unit/vector-wasm-tanh.test.ts checks millions, through both functions).
 *
 *   tanh(x: f64) → f64
 *   tanh2(x: v128) → v128   tanh of both lanes: every branch computed, the lane's one selected
 */
import * as c from '../../tanh';
import { F64, V128, code, op, type WasmFunction } from './assemble';

const X = 0, A = 1, Z = 2, K = 3, HI = 4, LO = 5, R = 6, C = 7, R2 = 8, R4 = 9, P = 10;
const TWOK = 11, AA = 12, B = 13, D = 14, DLO = 15, Q0 = 16, S = 17, ERR = 18;

type E = number[];
/** The arithmetic of one lane type: scalar f64, or f64x2. */
interface Arith { add: E; sub: E; mul: E; div: E; k(v: number): E; pow2: E }
const f64: Arith = {
  add: op.f64Add, sub: op.f64Sub, mul: op.f64Mul, div: op.f64Div, k: op.f64,
  // k (0..64) into the exponent field.
  pow2: code(op.i64TruncF64S, op.i64(1023), op.i64Add, op.i64(52), op.i64Shl, op.f64ReinterpretI64),
};
const f64x2: Arith = {
  add: op.f64x2Add, sub: op.f64x2Sub, mul: op.f64x2Mul, div: op.f64x2Div, k: (v) => code(op.f64(v), op.f64x2Splat),
  pow2: code(op.i32x4TruncSatF64x2SZero, op.i64x2ExtendLowI32x4S, op.i64(1023), op.i64x2Splat, op.i64x2Add, op.i32(52), op.i64x2Shl),
};

const get = (i: number): E => op.get(i);
const let_ = (i: number, e: E): E => code(e, op.set(i));

/** tanh's two formulas, in `t`'s arithmetic: x + x·z·P(z)/Q(z) for |x| < 0.625, and tanhMid of tanh.ts. */
function formulas(t: Arith): { small: E; mid: E } {
  const add = (a: E, b: E): E => code(a, b, t.add);
  const sub = (a: E, b: E): E => code(a, b, t.sub);
  const mul = (a: E, b: E): E => code(a, b, t.mul);
  const div = (a: E, b: E): E => code(a, b, t.div);
  const k = t.k;
  const small = code(
    let_(Z, mul(get(X), get(X))),
    add(get(X), mul(mul(get(X), get(Z)),
      div(add(mul(add(mul(k(c.P0), get(Z)), k(c.P1)), get(Z)), k(c.P2)),
        add(mul(add(mul(add(get(Z), k(c.Q1)), get(Z)), k(c.Q2)), get(Z)), k(c.Q3))))),
  );
  const mid = code(
    // 2a = k·ln2 + r + c, where c is the rounding error of r.
    let_(K, sub(add(mul(get(A), k(c.TWO_LOG2E)), k(c.SHIFT)), k(c.SHIFT))),
    let_(HI, sub(add(get(A), get(A)), mul(get(K), k(c.LN2_HI)))),
    let_(LO, mul(get(K), k(c.LN2_LO))),
    let_(R, sub(get(HI), get(LO))),
    let_(C, sub(sub(get(HI), get(R)), get(LO))),
    // p = (r + c) + r²·f, f by Estrin's scheme exactly as tanh.ts groups it.
    let_(R2, mul(get(R), get(R))),
    let_(R4, mul(get(R2), get(R2))),
    let_(P, add(add(get(R), get(C)), mul(get(R2),
      add(add(add(add(k(0.5), mul(k(c.F1), get(R))), mul(get(R2), add(k(c.F2), mul(k(c.F3), get(R))))),
        mul(get(R4), add(add(k(c.F4), mul(k(c.F5), get(R))), mul(get(R2), add(k(c.F6), mul(k(c.F7), get(R))))))),
      mul(mul(get(R4), get(R4)), add(add(k(c.F8), mul(k(c.F9), get(R))), mul(get(R2), k(c.F10)))))))),
    let_(TWOK, code(get(K), t.pow2)),
    let_(AA, add(get(TWOK), k(1))),
    let_(B, mul(get(TWOK), get(P))),
    let_(D, add(get(AA), get(B))),
    let_(DLO, add(sub(get(AA), get(D)), get(B))),
    let_(Q0, div(k(2), get(D))),
    let_(S, sub(k(1), get(Q0))),
    let_(ERR, sub(sub(k(1), get(S)), get(Q0))),
    mul(add(get(S), add(get(ERR), mul(mul(mul(k(0.5), get(Q0)), get(Q0)), get(DLO)))), div(get(X), get(A))),
  );
  return { small, mid };
}

/** if (cond) return value; */
const returnIf = (cond: E, value: E): E => code(cond, op.if, value, op.return, op.end);
const scalar = formulas(f64);

export const tanhFn: WasmFunction = {
  name: 'tanh',
  params: [F64],
  locals: Array.from({ length: ERR }, () => F64),
  results: [F64],
  body: code(
    let_(A, code(get(X), op.f64Abs)),
    get(A), op.f64(0.625), op.f64Lt, op.if,
    returnIf(code(get(X), op.f64(0), op.f64Eq), get(X)), // keeps the sign of −0
    scalar.small, op.return,
    op.end,
    returnIf(code(get(A), op.f64(22), op.f64Lt), scalar.mid),
    returnIf(code(get(X), op.f64(0), op.f64Gt), op.f64(1)),
    returnIf(code(get(X), op.f64(0), op.f64Lt), op.f64(-1)),
    get(X),
  ),
};

const lanes = formulas(f64x2);
const zero = f64x2.k(0);
/** a where mask, else b. */
const select2 = (a: E, b: E, mask: E): E => code(a, b, mask, op.v128Bitselect);

export const tanh2Fn: WasmFunction = {
  name: 'tanh2',
  params: [V128],
  locals: Array.from({ length: ERR }, () => V128),
  results: [V128],
  body: code(
    let_(A, code(get(X), op.f64x2Abs)),
    // |x| < 0.625: x at ±0 (its sign kept), else the rational formula; |x| < 22: the exp formula;
    // else ±1, and x itself for NaN.
    select2(
      select2(get(X), lanes.small, code(get(X), zero, op.f64x2Eq)),
      select2(
        lanes.mid,
        select2(f64x2.k(1), select2(f64x2.k(-1), get(X), code(get(X), zero, op.f64x2Lt)), code(get(X), zero, op.f64x2Gt)),
        code(get(A), f64x2.k(22), op.f64x2Lt),
      ),
      code(get(A), f64x2.k(0.625), op.f64x2Lt),
    ),
  ),
};
