/**
 * The charts of a vector model: the same three rows as the scalar timeline, with norms over t
 * in place of the scalar values and, at the bottom, why the gradient vanishes or explodes:
 * σ_max of ∂s_{t+1}/∂s_t = W·diag(φ'(s_t)) per step, against the line σ = 1.
 */
import type { ChartSpec } from './charts';

export function vectorSpecs(log: boolean): Omit<ChartSpec, 'floor' | 'title'>[] {
  const g = (k: 'dL_dh' | 'dL_dh_local' | 'dL_dh_recurrent' | 'dL_ds'): ChartSpec['series'][number]['key'] => (log ? `log_${k}` : k);
  return [
    {
      id: 'signal',
      lead: 'Signal norms (forward pass)',
      detail: ': ‖x_t‖, ‖h_t‖',
      xLabel: false,
      yLabel: '‖·‖',
      log: false,
      series: [
        { key: 'x', label: '‖x_t‖', color: '--vscode-charts-purple' },
        { key: 'h', label: '‖h_t‖', color: '--vscode-charts-blue', width: 2 },
      ],
    },
    {
      id: 'gradient',
      lead: 'Gradient norms flowing back',
      detail: `: ‖∂L/∂h_t‖ (local, recurrent), ‖∂L/∂s_t‖${log ? ' · log10' : ''}`,
      xLabel: false,
      yLabel: log ? 'log10 ‖∂L/∂·‖' : '‖∂L/∂·‖',
      log,
      series: [
        { key: g('dL_dh_local'), label: '‖local‖', color: '--vscode-charts-green', dash: [4, 3] },
        { key: g('dL_dh_recurrent'), label: '‖recurrent‖', color: '--vscode-charts-purple', dash: [2, 2] },
        { key: g('dL_dh'), label: '‖∂L/∂h_t‖', color: '--vscode-charts-blue' },
        { key: g('dL_ds'), label: '‖∂L/∂s_t‖', color: '--vscode-charts-red', width: 2 },
      ],
    },
    {
      id: 'sigma',
      lead: 'Why it vanishes or explodes',
      detail: `: σ_max(W·diag(φ'(s_t))) per step, against σ = 1${log ? ' · log10' : ''}`,
      xLabel: true,
      yLabel: log ? 'log10 σ_max' : 'σ_max',
      log,
      hline: log ? 0 : 1,
      series: [{ key: log ? 'log_sigma_max' : 'sigma_max', label: 'σ_max(∂s_{t+1}/∂s_t)', color: '--vscode-charts-orange', width: 2 }],
    },
  ];
}
