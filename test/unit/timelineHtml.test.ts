import * as assert from 'assert';
import { makeNonce, timelineHtml } from '../../src/extension/timeline/html';

const params = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/timeline.js',
  uplotCssUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/uPlot.min.css',
  cssUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/timeline.css',
};

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'CSP meta tag');
  return m[1].replace(/&#39;/g, "'");
}

describe('timeline HTML', () => {
  it('has a strict CSP: nothing by default, script by nonce only, no inline or eval', () => {
    const html = timelineHtml({ ...params, nonce: 'abc123' });
    const csp = cspOf(html);
    assert.strictEqual(
      csp,
      `default-src 'none'; img-src ${params.cspSource} data:; style-src ${params.cspSource}; script-src 'nonce-abc123'; font-src ${params.cspSource}`,
    );
    assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(csp));
  });

  it('loads exactly one script, carrying the nonce, and the two style sheets', () => {
    const html = timelineHtml({ ...params, nonce: 'n0nce' });
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepStrictEqual(scripts, [`<script nonce="n0nce" src="${params.scriptUri}">`]);
    assert.ok(html.includes(`href="${params.uplotCssUri}"`));
    assert.ok(html.includes(`href="${params.cssUri}"`));
    assert.ok(!/ style=/.test(html), 'no inline style attributes (blocked by the CSP)');
    assert.ok(!/<style/.test(html));
  });

  it('shows the empty state before the script runs', () => {
    assert.ok(timelineHtml(params).includes('BPTT Lens: Run Backward Pass'));
  });

  it('escapes URIs into attributes', () => {
    const html = timelineHtml({ ...params, scriptUri: 'x"><script>alert(1)</script>' });
    assert.ok(!html.includes('"><script>alert'));
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = makeNonce();
    assert.notStrictEqual(a, makeNonce());
    assert.strictEqual(Buffer.from(a, 'base64').length, 16);
    assert.ok(cspOf(timelineHtml(params)).includes("'nonce-"));
  });
});
