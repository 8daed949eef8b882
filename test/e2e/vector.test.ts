/**
 * A PyTorch user's vector model in the real workbench (issue 11): samples/vector/pytorch16.csv
 * names an nn.RNN(4, 16) + Linear state dict saved as .safetensors. Opening it shows the hover
 * with the step's vectors and norms, and the timeline's norms, heat strip and σ_max. Screenshots
 * (vector-hover.png, vector-timeline.png) go to BPTT_E2E_SCREENSHOTS; look at them. A NumPy
 * student's gradients with the transposed-W bug (samples/vector/numpy-row-check.csv, grads=…) are
 * diagnosed as transposed_W in the Problems panel, with the step where the error enters
 * (vector-check-problems.png).
 */
import * as assert from 'assert';
import { closeWorkbench, findWebviewFrame, hoverLine, openFile, openWorkbench, problems, readCodeLenses, runCommand, screenshot, type Workbench } from './workbench';

/** Line (1-based) of step t in pytorch16.csv: two comment lines and the header come first. */
const lineOfStep = (t: number): number => t + 3;

describe('vector model (UI)', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openWorkbench();
  });

  after(async () => {
    await closeWorkbench(wb);
  });

  it('hovering a step shows its vectors, the norms of ∂L/∂h_t\'s local and recurrent parts, and ∂L/∂s_t', async () => {
    const page = wb!.page;
    await openFile(page, 'pytorch16.csv');
    // The file's directive runs it on open; its CodeLens says the analysis is there (a hover aimed
    // before that finds nothing, and is aimed again only after hoverLine's first wait).
    const lenses = await readCodeLenses(page, 60_000);
    assert.ok(lenses.some((l) => l.startsWith('BPTT')), lenses.join('\n'));
    const text = (await hoverLine(page, lineOfStep(20), 3)).replace(/\u00a0/g, ' ');
    await page.waitForTimeout(500); // the hover fades in
    await screenshot(page, 'vector-hover');
    assert.ok(text.includes('Step 20 of 80'), text);
    assert.match(text, /‖∂L\/∂h_t‖ = [-0-9.e]+ +‖local‖ = [-0-9.e]+ +‖recurrent‖ = [-0-9.e]+/, text);
    assert.match(text, /‖∂L\/∂s_t‖ = [0-9]/, text);
    assert.ok(text.includes('Uᵀ·(∂L/∂ŷ_t ⊙ θ\'(U·h_t + c))'), text);
    assert.ok(text.includes('n = 16, m = 4, k = 1'), text);
    assert.ok(text.includes('Full vectors in the step table'), text);
  });

  it('the timeline shows the norms, the heat strip of 16 units, σ_max against σ = 1, and Pascanu\'s verdict', async () => {
    const page = wb!.page;
    await page.keyboard.press('Escape');
    await runCommand(page, 'BPTT Lens: Show Timeline');
    const frame = await findWebviewFrame(page, '.heat-strip canvas');
    await frame.waitForSelector('.chart-sigma');
    const titles = await frame.$$eval('.chart-title', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(titles.some((t) => t.startsWith('Gradient norms flowing back')), titles.join('\n'));
    assert.ok(titles.some((t) => t.startsWith('Why it vanishes or explodes')), titles.join('\n'));
    const caption = await frame.$eval('.heat-caption', (e) => e.textContent ?? '');
    assert.match(caption, /^16 units/, caption);
    // The strip is painted: some pixel of the canvas is not transparent.
    // (No DOM types here: the test compiles for Node; this function runs in the page.)
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
    const painted = await frame.$eval('.heat-strip canvas', (c) => {
      const canvas = c as unknown as Canvas;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 1000, `painted pixels: ${painted}`);
    const summary = await frame.$eval('.summary', (e) => e.textContent ?? '');
    assert.match(summary, /‖W‖₂/, summary);
    assert.match(summary, /‖W‖₂·max φ' = /, summary);
    assert.match(summary, /n=16/, summary);
    await screenshot(page, 'vector-timeline');
    // The heat strip and σ_max sit below the fold: a second picture with them in view.
    await frame.$eval('.heat-strip', (e) => (e as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'center' }));
    await screenshot(page, 'vector-heatstrip');
  });

  it('a NumPy student\'s gradients with the transposed-W bug: transposed_W in the Problems panel, with the step', async () => {
    const page = wb!.page;
    await page.keyboard.press('Escape');
    // The whole editor width for the long directive line (the timeline may be open beside it).
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'numpy-row-check.csv');
    const isVerdict = (l: string) => /transposed_W: The recurrent term uses W·∂L\/∂s_\{t\+1\} where Wᵀ/.test(l) && /enters at ∂L\/∂h_19, t = 19/.test(l);
    const isRow = (l: string) => /the error in your gradients enters here, at ∂L\/∂h_19, t = 19/.test(l) && /transposed_W/.test(l);
    let rows = await problems(page);
    for (let k = 0; k < 50 && !(rows.some((r) => isVerdict(r.label || r.text)) && rows.some((r) => isRow(r.label || r.text))); k++) {
      await page.waitForTimeout(200);
      rows = await problems(page);
    }
    const labels = rows.map((r) => r.label || r.text);
    assert.ok(labels.some(isVerdict), JSON.stringify(labels));
    assert.ok(labels.some(isRow), JSON.stringify(labels));
    assert.ok(rows.filter((r) => /transposed_W/.test(r.label || r.text)).every((r) => r.severity === 'error'), JSON.stringify(rows));
    // The squiggle is on the directive's grads= path: hover it to read the diagnosis in the editor.
    const hover = await hoverLine(page, 4, 95);
    assert.ok(/transposed_W/.test(hover), hover);
    const status = await page.locator('.statusbar-item', { hasText: 'grads: 2 ✓ 6 ✗ — transposed_W' }).first().innerText();
    assert.ok(status.includes('transposed_W'), status);
    await page.waitForTimeout(500);
    await screenshot(page, 'vector-check-problems');
  });
});
