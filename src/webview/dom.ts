/** Building DOM nodes without innerHTML: nothing from a message is ever parsed as markup. */
import type { BandKind } from '../shared/series';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** The small colour sample before a caption or key item (styled in timeline.css from theme variables). */
export function swatch(kind: BandKind | 'selected' | 'nonfinite'): HTMLElement {
  return el('span', { class: `swatch ${kind}`, 'aria-hidden': 'true' });
}
