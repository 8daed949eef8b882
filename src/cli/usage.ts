/** The --help text. Flag and field names are an interface other tools read. */
import { CHOICES } from '../core';

export const USAGE = `Usage: bptt-lens FILE [options]
       bptt-lens check FILE [options]       (your formulas and numbers against BPTT; see check --help)
       bptt-lens gradcheck FILE [options]   (finite differences against BPTT; see gradcheck --help)
       bptt-lens flow FILE [options]        (factors, horizons, gradient by lag; see flow --help)
       bptt-lens --help

Runs backpropagation through time for the scalar RNN on a sequence file and prints
every per-step quantity:

  s_t = w·h_{t-1} + v·x_t + b    h_t = φ(s_t)    ŷ_t = θ(u·h_t + c)    L = reduce_t ℓ(ŷ_t, y_t)
  ∂L/∂h_t = ∂L/∂ŷ_t·θ'(u·h_t + c)·u + w·∂L/∂s_{t+1}      ∂L/∂s_t = ∂L/∂h_t·φ'(s_t)

FILE is a .csv, .tsv or .json sequence (see README "File formats"), or - for stdin.

Output (default: a readable table of the first and last rows, then the totals):
  --json            one JSON document on stdout:
                      {"model": {w,v,b,u,c,h0,phi,theta,loss,reduction}, "T", "loss",
                       "grads": {w,v,b,u,c,h0}, "firstNonFinite": t | null,
                       "warnings": [{code, t, line, message}], "steps": [...]}
                    each step: {t, line, x, y, s, h, yhat, loss, dL_dyhat, dL_dh,
                                dL_dh_local, dL_dh_recurrent, dL_ds}
                    t and line are 1-based; y and loss are null where a step has no target;
                    NaN and ±Infinity are written as "NaN", "Infinity", "-Infinity".
  --csv             the per-step table as CSV, with the same field names as --json steps.
  --rows N          table mode: show the first and last N rows (default 10); 0 shows all.
  --format F        csv, tsv or json; default from FILE's extension (required for stdin).

Vector-model files (a weights=PATH directive key, or a "weights" key: see README): the
model, the per-step norms and every gradient; --json prints
  {"model": {n,m,k,phi,theta,loss,reduction,layout}, "T", "loss",
   "grads": {W,V,b,U,c,h0} as nested arrays, "firstNonFinite", "steps": [...]}
  each step's x, y (or class), s, h, yhat, probs (cross_entropy), dL_dyhat, dL_dh,
  dL_dh_local, dL_dh_recurrent, dL_ds an array; loss a number or null.
  --no-steps        --json without "steps", for big files.

Truncated BPTT beside the full gradient (also set by the directive's truncate=k / horizon=k):
  --truncate k      cut the sequence into chunks of k steps, no gradient crosses a boundary
                    (PyTorch's h.detach() every k steps)
  --horizon k       each loss ℓ_τ backpropagates through s_τ … s_{τ−k+1} only
                    --json: "grads" are the truncated ones, plus "fullGrads" and "truncation"
                    {kind, k, bias: {p: {bias, relBias}}}; with --truncate the steps hold the
                    truncated ∂L/∂h_t, its recurrent part and ∂L/∂s_t. The table mode adds
                    each parameter's truncated gradient, the full one and the relative bias.

Model values used when FILE's directive does not set them (the directive wins):
  --w N --v N --b N --u N --c N --h0 N
  --phi ${CHOICES.phi.join('|')}
  --theta ${CHOICES.theta.join('|')}
  --loss ${CHOICES.loss.join('|')}
  --reduction ${CHOICES.reduction.join('|')}

Warnings (the run still succeeds) go to stderr as FILE:LINE:COL: warning: message,
at the step they name: dead_relu (φ'(s_t) = 0 cuts the gradient off), loss_domain
(e.g. bce with ŷ outside (0, 1)), vanishing (|∂L/∂s_t| < 1e-6), exploding (> 1e6).

Exit status: 0 on success (also when the reader of stdout goes away, as with | head);
2 on bad input or usage, with each error on stderr as FILE:LINE:COL: message
(1-based line and column), or on an internal error (please report it).
`;
