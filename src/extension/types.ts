/**
 * What the editor features and the timeline share: one analysis per document version.
 */
import type * as vscode from 'vscode';
import type { CheckReport } from '../check';
import type { Trace } from '../core';
import type { ParsedSequence } from '../parse';
import type { RemoteResult } from './remoteResult';
import type { TruncatedGrads } from './summary';
import type { VectorAnalysis } from './vector/analyze';

export interface Analysis {
  uri: vscode.Uri;
  /** The document version this analysis was computed from. */
  version: number;
  fileName: string;
  /**
   * With `remote`, `parsed` and `trace` carry every scalar but no per-step array (each has length
   * 0): read steps through `remote`, never by indexing them.
   */
  parsed: ParsedSequence;
  /** Absent when the file has parse errors. */
  trace: Trace | undefined;
  /** The file's claims against exact BPTT (issue 9); undefined when the file has no claims or does not parse. */
  checks: CheckReport | undefined;
  /** Wall time of parse + compute, in ms. */
  durationMs: number;
  /** A large document's: the worker computed it and keeps its per-step arrays (remoteResult.ts). */
  remote?: RemoteResult;
  /** With `remote`: the truncated gradients (truncate=/horizon=) the worker computed, or null. */
  truncated?: TruncatedGrads | null;
  /** A vector-model document (issue 11): its parse, trace and timeline; `parsed` is then empty and `trace` absent. */
  vector?: VectorAnalysis;
}

/**
 * What the editor features, the timeline and the extension's API see of the AnalysisStore
 * (analysisStore.ts): analyses to read, runs to ask for, and their events.
 */
export interface AnalysisSource {
  /** The latest analysis of `uri`, whatever document version it came from. */
  latest(uri: vscode.Uri): Analysis | undefined;
  /** The analysis of exactly this document version, or undefined; never a stale one. */
  current(document: vscode.TextDocument): Analysis | undefined;
  /** Parses and computes now (worker thread for large files); resolves with the result. */
  run(document: vscode.TextDocument): Promise<Analysis | undefined>;
  /** True while a run for this document is scheduled or in flight. */
  isPending(document: vscode.TextDocument): boolean;
  /** Fires as a run of a document starts (its current analysis is about to be replaced). */
  readonly onWillRun: vscode.Event<vscode.Uri>;
  /** Fires after every completed run. */
  readonly onDidUpdate: vscode.Event<Analysis>;
  /** Fires when a document's analysis is dropped (document closed). */
  readonly onDidForget: vscode.Event<vscode.Uri>;
}

/** The timeline panel, as the rest of the extension sees it. */
export interface Timeline {
  /** Opens (or reveals) the panel on `uri`'s analysis (else the active sequence file's), optionally selecting 0-based step `step`. */
  show(uri?: vscode.Uri, step?: number): Promise<void>;
}
