/** The charts' keymap (the charts are one slider over t): select, reveal, zoom, log scale. */

export interface KeyActions {
  /** The selected step, or 1 before any. */
  selected(): number;
  T(): number;
  /** The visible x range. */
  range(): [number, number];
  selectStep(t: number, reveal: boolean): void;
  zoomBy(factor: number, center: number): void;
  resetZoom(): void;
  toggleLog(): void;
}

export function keymap(a: KeyActions): Record<string, () => void> {
  const t = a.selected();
  const r = a.range();
  const page = Math.max(1, Math.round((r[1] - r[0]) / 10));
  const select = (to: number) => () => a.selectStep(to, false);
  return {
    ArrowLeft: select(t - 1),
    ArrowRight: select(t + 1),
    ArrowDown: select(t - 1),
    ArrowUp: select(t + 1),
    PageDown: select(t - page),
    PageUp: select(t + page),
    Home: select(1),
    End: select(a.T()),
    Enter: () => a.selectStep(t, true),
    '+': () => a.zoomBy(0.5, t),
    '=': () => a.zoomBy(0.5, t),
    '-': () => a.zoomBy(2, t),
    '0': () => a.resetZoom(),
    l: () => a.toggleLog(),
    L: () => a.toggleLog(),
  };
}

/** Binds the keymap to `target`; keys with Alt, Ctrl or Meta stay VS Code's. */
export function bindKeys(target: HTMLElement, actions: KeyActions, enabled: () => boolean): void {
  target.addEventListener('keydown', (e) => {
    if (!enabled() || e.altKey || e.ctrlKey || e.metaKey) return;
    const action = keymap(actions)[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  });
}
