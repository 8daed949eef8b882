/**
 * A part of the timeline page shown with a trace. main.ts lists the panels in page order; a new
 * one (checks, flow, a heat map) is a new file that exports a Panel, and one line in that list.
 */
import type { HostToWebviewMessage } from '../shared/protocol';
import type { TimelineState } from './state';

export interface Panel {
  /** What the panel places in the page, in order. */
  readonly elements: readonly HTMLElement[];
  /** Draws the panel from the state: after a new trace and after new settings. */
  render(state: TimelineState): void;
  /** Optional: reacts to a host message once the state has taken it in (a new step, a zoom window). */
  onMessage?(m: HostToWebviewMessage, state: TimelineState): void;
}
