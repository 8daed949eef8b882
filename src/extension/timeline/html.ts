/**
 * The timeline webview's HTML. No `vscode` import: the caller passes the webview's CSP source
 * and resource URIs as strings, so unit tests can check the policy in plain Node.
 */
export interface TimelineHtmlParams {
  /** webview.cspSource */
  cspSource: string;
  /** asWebviewUri(media/timeline.js) etc., as strings. */
  scriptUri: string;
  uplotCssUri: string;
  cssUri: string;
  nonce?: string;
}

/** 128 random bits: the only way a script runs in the page. Web Crypto, in Node 20 and browsers alike. */
export function makeNonce(): string {
  const bits = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bits));
}

const ATTR_ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;', "'": '&#39;' };

function attr(s: string): string {
  return s.replace(/[&"<>']/g, (c) => ATTR_ESCAPES[c]);
}

export function timelineHtml(p: TimelineHtmlParams): string {
  const nonce = p.nonce ?? makeNonce();
  // No 'unsafe-inline' / 'unsafe-eval': styles come from files, the one script by nonce.
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data:`,
    `style-src ${p.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${p.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.uplotCssUri)}">
<link rel="stylesheet" href="${attr(p.cssUri)}">
<title>BPTT Timeline</title>
</head>
<body>
<main id="app" aria-live="polite">
<p class="empty">Open a .csv/.tsv/.json sequence and run <strong>BPTT Lens: Run Backward Pass</strong>.</p>
</main>
<script nonce="${attr(nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>`;
}
