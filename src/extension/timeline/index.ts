/**
 * The timeline panel: `registerTimeline` is all the rest of the extension sees.
 * One panel at a time; it survives a window reload through a WebviewPanelSerializer (the
 * webview stores the followed file in its state), without retainContextWhenHidden.
 */
import * as vscode from 'vscode';
import type { AnalysisStore, Timeline } from '../types';
import { TimelinePanel, VIEW_TYPE, webviewOptions, type PersistedState } from './panel';

export { VIEW_TYPE } from './panel';

class TimelineController implements Timeline {
  private current: TimelinePanel | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: AnalysisStore,
  ) {}

  async show(uri?: vscode.Uri, step?: number): Promise<void> {
    if (this.current) {
      this.current.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        VIEW_TYPE,
        'BPTT Timeline',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(this.context.extensionUri),
      );
      this.current = this.adopt(panel);
    }
    await this.current.follow(uri ?? activeEditorUri(), step);
  }

  async restore(panel: vscode.WebviewPanel, state: PersistedState | undefined): Promise<void> {
    this.current?.panel.dispose();
    this.current = this.adopt(panel);
    const saved = typeof state?.uri === 'string' ? parseUri(state.uri) : undefined;
    await this.current.follow(saved ?? activeEditorUri());
  }

  private adopt(panel: vscode.WebviewPanel): TimelinePanel {
    const p = new TimelinePanel(panel, this.store, this.context.extensionUri, () => {
      if (this.current === p) this.current = undefined;
    });
    return p;
  }

  dispose(): void {
    this.current?.panel.dispose();
  }
}

function activeEditorUri(): vscode.Uri | undefined {
  return vscode.window.activeTextEditor?.document.uri;
}

function parseUri(s: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(s, true);
  } catch {
    return undefined;
  }
}

export function registerTimeline(context: vscode.ExtensionContext, store: AnalysisStore): Timeline {
  const controller = new TimelineController(context, store);
  context.subscriptions.push(
    controller,
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: PersistedState | undefined) => controller.restore(panel, state),
    }),
  );
  return controller;
}
