/**
 * The timeline panel: `TimelineController` is all the rest of the extension sees.
 * One panel at a time; it survives a window reload through a WebviewPanelSerializer (the
 * webview stores the followed file in its state), without retainContextWhenHidden.
 */
import * as vscode from 'vscode';
import { Disposable, toDisposable } from '../dispose';
import { activeSequenceUri, toUri } from '../sequenceDocument';
import type { AnalysisSource, Timeline } from '../types';
import type { WorkerClient } from '../workerClient';
import { TimelinePanel, VIEW_TYPE, webviewOptions, type PersistedState } from './panel';

export { VIEW_TYPE } from './panel';

export class TimelineController extends Disposable implements Timeline {
  private current: TimelinePanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: AnalysisSource,
    private readonly flowWorker?: WorkerClient,
  ) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: PersistedState | undefined) => this.restore(panel, state),
      }),
    );
    // Closing the panel disposes the TimelinePanel with it (panel.onDidDispose).
    this._register(toDisposable(() => this.current?.panel.dispose()));
  }

  /** Opens (or reveals) the panel on `uri`, else on the active sequence file (sequenceDocument.ts). */
  async show(uri?: vscode.Uri, step?: number): Promise<void> {
    if (this.current) {
      this.current.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        VIEW_TYPE,
        'BPTT Timeline',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(this.extensionUri),
      );
      this.current = this.adopt(panel);
    }
    await this.current.follow(uri ?? activeSequenceUri(), step);
  }

  private async restore(panel: vscode.WebviewPanel, state: PersistedState | undefined): Promise<void> {
    this.current?.panel.dispose();
    this.current = this.adopt(panel);
    const saved = toUri(state?.uri);
    await this.current.follow(saved ?? activeSequenceUri());
  }

  private adopt(panel: vscode.WebviewPanel): TimelinePanel {
    const p = new TimelinePanel(panel, this.store, this.extensionUri, () => {
      if (this.current === p) this.current = undefined;
    }, this.flowWorker);
    return p;
  }
}
