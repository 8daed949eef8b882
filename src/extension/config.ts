/**
 * The `bpttLens.*` settings, read per document (folder settings may differ).
 */
import * as vscode from 'vscode';
import { DEFAULT_ATOL, DEFAULT_RTOL, MIN_RTOL } from '../check';
import { MODEL_KEYS, type Model } from '../core';
import type { CallerDefaults } from '../parse';
import type { FlowSettings } from './timeline/flowData';

export const SECTION = 'bpttLens';

export interface LensSettings {
  /** Model values for files without a directive (the file's directive wins key by key). */
  defaults: CallerDefaults;
  precision: number;
  debounceMs: number;
  gradientWarnings: boolean;
  vanishingThreshold: number;
  explodingThreshold: number;
  workerThresholdBytes: number;
  /** Tolerances of the checks (issue 9): the engine's defaults, never tighter than MIN_RTOL. */
  checkRtol: number;
  checkAtol: number;
}

/**
 * Settings per scope, cached while `watchSettings()` is active: `getConfiguration` merges every
 * layer on each call, too slow for a hover's O(1) budget.
 */
const cache = new Map<string, LensSettings>();
let watching = false;

export function readSettings(scope?: vscode.Uri): LensSettings {
  const key = scope?.toString() ?? '';
  const cached = watching ? cache.get(key) : undefined;
  if (cached) return cached;
  const settings = loadSettings(scope);
  if (watching) cache.set(key, settings);
  return settings;
}

/** The flow analyses' settings (timeline, CodeLens, and the truncation the worker computes with a result). */
export function readFlowSettings(scope?: vscode.Uri): FlowSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const int = (key: string, fallback: number, min: number): number => {
    const n = c.get<number>(key, fallback);
    return typeof n === 'number' && Number.isInteger(n) && n >= min ? n : fallback;
  };
  const ratio = c.get<number>('horizonRatio', 1e-3);
  return {
    horizonRatio: typeof ratio === 'number' && ratio > 0 && ratio < 1 ? ratio : 1e-3,
    lagK: int('lagK', 1000, 1),
    truncate: int('truncate', 0, 0),
    horizon: int('horizon', 0, 0),
  };
}

/** Enables the cache and empties it on every change; register before any other settings listener. */
export function watchSettings(): vscode.Disposable {
  watching = true;
  const listener = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) cache.clear();
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    watching = false;
    cache.clear();
  });
}

function loadSettings(scope?: vscode.Uri): LensSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const defaults: Record<string, unknown> = {};
  for (const k of MODEL_KEYS) {
    const value = c.get<Model[typeof k]>(`defaults.${k}`);
    // The parser validates caller defaults and ignores invalid ones, so pass them through as set.
    if (value !== undefined && value !== null) defaults[k] = value;
  }
  return {
    defaults: defaults as CallerDefaults,
    precision: clampInt(c.get<number>('precision', 6), 1, 17, 6),
    debounceMs: clampInt(c.get<number>('debounceMs', 300), 0, 10_000, 300),
    gradientWarnings: c.get<boolean>('gradientWarnings', true) !== false,
    vanishingThreshold: positive(c.get<number>('vanishingThreshold', 1e-6), 1e-6),
    explodingThreshold: positive(c.get<number>('explodingThreshold', 1e6), 1e6),
    workerThresholdBytes: clampInt(c.get<number>('workerThresholdBytes', 1_000_000), 0, Number.MAX_SAFE_INTEGER, 1_000_000),
    checkRtol: Math.max(MIN_RTOL, nonNegative(c.get<number>('check.rtol', DEFAULT_RTOL), DEFAULT_RTOL)),
    checkAtol: nonNegative(c.get<number>('check.atol', DEFAULT_ATOL), DEFAULT_ATOL),
  };
}

function clampInt(n: unknown, min: number, max: number, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : fallback;
}

function nonNegative(n: unknown, fallback: number): number {
  return typeof n === 'number' && n >= 0 && Number.isFinite(n) ? n : fallback;
}

function positive(n: unknown, fallback: number): number {
  return typeof n === 'number' && n > 0 && Number.isFinite(n) ? n : fallback;
}

/** Fires when any `bpttLens.*` setting changes. */
export function onDidChangeSettings(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
