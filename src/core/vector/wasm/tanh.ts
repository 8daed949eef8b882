/**
 * src/core/tanh.ts in WebAssembly, operation for operation: the same constants, the same + − × ÷
 * in the same order (wasm f64 arithmetic is IEEE round-to-nearest with no fused multiply–add, as
 * JS's), and 2^k built from its exponent bits instead of read from a table (the same double).
 * So the same bits for every input (test/unit/vector-wasm-tanh.test.ts checks millions).
 *
 *   tanh(x: f64) → f64
 */
import * as c from '../../tanh';
import { F64, code, op, type WasmFunction } from './assemble';

const X = 0, A = 1, Z = 2, K = 3, HI = 4, LO = 5, R = 6, C = 7, R2 = 8, R4 = 9, P = 10;
const TWOK = 11, AA = 12, B = 13, D = 14, DLO = 15, Q0 = 16, S = 17, ERR = 18;

type E = number[];
const get = (i: number): E => op.get(i);
const k = (v: number): E => op.f64(v);
const add = (a: E, b: E): E => code(a, b, op.f64Add);
const sub = (a: E, b: E): E => code(a, b, op.f64Sub);
const mul = (a: E, b: E): E => code(a, b, op.f64Mul);
const div = (a: E, b: E): E => code(a, b, op.f64Div);
const let_ = (i: number, e: E): E => code(e, op.set(i));
/** if (cond) return value; */
const returnIf = (cond: E, value: E): E => code(cond, op.if, value, op.return, op.end);

/** tanh x for 0.625 ≤ a = |x| < 22: tanhMid of tanh.ts. */
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
  // 2^k: k (0..64) into the exponent field.
  let_(TWOK, code(get(K), op.i64TruncF64S, op.i64(1023), op.i64Add, op.i64(52), op.i64Shl, op.f64ReinterpretI64)),
  let_(AA, add(get(TWOK), k(1))),
  let_(B, mul(get(TWOK), get(P))),
  let_(D, add(get(AA), get(B))),
  let_(DLO, add(sub(get(AA), get(D)), get(B))),
  let_(Q0, div(k(2), get(D))),
  let_(S, sub(k(1), get(Q0))),
  let_(ERR, sub(sub(k(1), get(S)), get(Q0))),
  mul(add(get(S), add(get(ERR), mul(mul(mul(k(0.5), get(Q0)), get(Q0)), get(DLO)))), div(get(X), get(A))),
);

export const tanhFn: WasmFunction = {
  name: 'tanh',
  params: [F64],
  locals: Array.from({ length: ERR }, () => F64),
  results: [F64],
  body: code(
    let_(A, code(get(X), op.f64Abs)),
    get(A), k(0.625), op.f64Lt, op.if,
    returnIf(code(get(X), k(0), op.f64Eq), get(X)), // keeps the sign of −0
    let_(Z, mul(get(X), get(X))),
    add(get(X), mul(mul(get(X), get(Z)),
      div(add(mul(add(mul(k(c.P0), get(Z)), k(c.P1)), get(Z)), k(c.P2)),
        add(mul(add(mul(add(get(Z), k(c.Q1)), get(Z)), k(c.Q2)), get(Z)), k(c.Q3))))),
    op.return, op.end,
    returnIf(code(get(A), k(22), op.f64Lt), mid),
    returnIf(code(get(X), k(0), op.f64Gt), k(1)),
    returnIf(code(get(X), k(0), op.f64Lt), k(-1)),
    get(X),
  ),
};
