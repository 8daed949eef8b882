/**
 * The one lifecycle style of the extension host, as in vscode-hexeditor's src/dispose.ts: whatever
 * owns listeners, emitters, registrations or timers extends `Disposable` and hands each of them to
 * `_register` as it creates it; `dispose()` releases them once, the last registered first.
 * No `vscode` import: VS Code's disposables fit `IDisposable`, and so does anything with `dispose()`.
 */
export interface IDisposable {
  dispose(): void;
}

/** Wraps a cleanup function (a timer to clear, a worker to stop) as a disposable. */
export function toDisposable(dispose: () => void): IDisposable {
  return { dispose };
}

export abstract class Disposable implements IDisposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  /** True once disposed: late async work checks it and does nothing. */
  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Owns `value` from now on; registered after disposal, it is disposed at once. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    for (let d = this._disposables.pop(); d; d = this._disposables.pop()) d.dispose();
  }
}
