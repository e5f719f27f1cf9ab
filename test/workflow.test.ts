import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/lib/paths.js';

// The users' GitHub Actions workflow cannot run here; actionlint (built from the Go module
// proxy, with shellcheck for the run: scripts where Debian's is installed) checks it instead.

const WORKFLOW = join(ROOT, '.github', 'workflows', 'ci.yaml');
const actionlint = (...files: string[]) => promisify(execFile)('bash', [join(ROOT, 'scripts', 'actionlint.sh'), ...files]);

interface Workflow {
  on: { push: { tags: string[] } };
  jobs: Record<string, { needs?: string; steps: { run?: string; if?: string }[] }>;
}

describe('.github/workflows/ci.yaml', () => {
  it('passes actionlint', async () => {
    const { stdout, stderr } = await actionlint(WORKFLOW);
    expect(stdout + stderr.replace(/^\[tools\].*\n/gm, '')).toBe('');
  });

  it('would be caught by actionlint if it referenced something that does not exist', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'k8tre-workflow-')), 'broken.yaml');
    writeFileSync(broken, readFileSync(WORKFLOW, 'utf8').replace('${{ github.ref_name }}', '${{ github.no_such_field }}'));
    await expect(actionlint(broken)).rejects.toMatchObject({ stdout: expect.stringMatching(/property "no_such_field" is not defined/) });
  });

  it('lints, typechecks, tests, runs the end-to-end suite and packages, and pushes only from a version tag', () => {
    const workflow = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
    const runs = (job: string) => workflow.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');
    for (const command of ['npm run lint', 'npm run typecheck', 'npm test']) expect(runs('test')).toContain(command);
    expect(runs('package')).toContain('npm run package');
    // The end-to-end run on a real control plane, as .ci/run runs it after the tests.
    expect(runs('e2e')).toContain('npm run e2e');
    expect(workflow.jobs.e2e!.needs).toBe('test');
    expect(workflow.jobs.package!.needs).toBe('test');
    const push = workflow.jobs.package!.steps.find((s) => s.run?.includes('xpkg push'));
    expect(push?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(workflow.on.push.tags).toEqual(['v*']);
  });
});
