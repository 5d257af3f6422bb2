import { describe, expect, it } from 'vitest';
import { readReply, ReportError, writeReport } from '../../../../extension/src/widgets/dashboard/reportEndpoint.js';

const json = (status: number, body: unknown): Response => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('writeReport()', () => {
  it('posts the request as JSON and gives back what was written', async () => {
    const sent: string[] = [];
    const written = await writeReport(
      async (body) => {
        sent.push(body);
        return json(200, { output: 'exp/report.html', runs: 2, message: 'Wrote exp/report.html (2 runs, 3 charts)', warnings: [] });
      },
      { stores: ['exp/train.ipynb'], runs: ['20261122-210850123-k3f9q', '20261122-210851000-a0b1c'], output: 'exp/report.html' },
    );
    expect(JSON.parse(sent[0]!)).toEqual({ stores: ['exp/train.ipynb'], runs: ['20261122-210850123-k3f9q', '20261122-210851000-a0b1c'], output: 'exp/report.html' });
    expect(written).toEqual({ output: 'exp/report.html', runs: 2, message: 'Wrote exp/report.html (2 runs, 3 charts)', warnings: [] });
  });

  it("turns the server's refusal into a ReportError with its message and code", async () => {
    const refusal = writeReport(async () => json(400, { error: "'output': 'x.sh' is not an .html file name", code: 'invalid-path' }), { stores: ['a.ipynb'], runs: [], output: 'x.sh' });
    await expect(refusal).rejects.toThrow(ReportError);
    await expect(refusal).rejects.toMatchObject({ code: 'invalid-path', status: 400, message: "'output': 'x.sh' is not an .html file name" });
  });

  it('says what to do when the server has no extension, and when it cannot be reached', async () => {
    await expect(writeReport(async () => new Response('<html>404</html>', { status: 404 }), { stores: [], runs: [], output: 'r.html' })).rejects.toMatchObject({ code: 'no-extension', message: /trainbook jupyter install/ });
    await expect(
      writeReport(async () => {
        throw new TypeError('Failed to fetch');
      }, { stores: [], runs: [], output: 'r.html' }),
    ).rejects.toMatchObject({ code: 'network', status: 0, message: /Failed to fetch/ });
  });
});

describe('readReply()', () => {
  it('refuses a success without an output path, and keeps only text warnings', () => {
    expect(() => readReply(200, { runs: 1 })).toThrow(/without saying why/);
    expect(readReply(200, { output: 'r.html', runs: 1, warnings: ['skipped damaged data in x', 3] }).warnings).toEqual(['skipped damaged data in x']);
  });
});
