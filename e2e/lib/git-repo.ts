import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../scripts/lib/paths.js';

// The walkthrough's fork: a local git repository holding the project's examples/, committed
// on main, that ArgoCD clones by file:// URL. Its step 2 is done as a user does it: the
// example repository URL replaced with the fork's in bootstrap/ and apps/. Scenarios change
// it the way a team does, by commits.

/** The repository URL the examples ship with; the walkthrough replaces it with the fork's. */
export const EXAMPLE_REPO_URL = 'https://github.com/example-org/k8tre-azure-crossplane.git';
/** Where the walkthrough replaces it. */
const URL_FOLDERS = ['examples/gitops/bootstrap', 'examples/gitops/apps'];

export class GitRepo {
  private constructor(
    readonly dir: string,
    readonly url: string,
  ) {}

  /**
   * Copies examples/ into a new repository at `dir` and commits it. `prepare` changes what the
   * run cannot sync here before the first commit (the caller says why).
   */
  static create(dir: string, prepare: (repo: GitRepo) => void = () => undefined): GitRepo {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
    const repo = new GitRepo(dir, `file://${dir}`);
    prepare(repo);
    for (const folder of URL_FOLDERS) for (const file of yamlFiles(join(dir, folder))) repo.replaceIn(file, EXAMPLE_REPO_URL, repo.url);
    repo.git('init', '--quiet', '--initial-branch=main');
    repo.commit('The K8TRE platform, from the examples');
    return repo;
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  read(file: string): string {
    return readFileSync(this.path(file), 'utf8');
  }

  write(file: string, text: string): void {
    writeFileSync(this.path(file), text);
  }

  /** The YAML files of a folder of the repository, as paths inside it. */
  yamlFiles(folder: string): string[] {
    return yamlFiles(this.path(folder)).map((file) => file.slice(this.dir.length + 1));
  }

  /** Rewrites a multi-document YAML file keeping only the documents `keep` accepts. */
  filterDocuments(file: string, keep: (document: Record<string, unknown>) => boolean): void {
    const kept = parseAllDocuments(this.read(file)).filter((doc) => keep((doc.toJS() ?? {}) as Record<string, unknown>));
    this.write(file, kept.map((doc) => doc.toString()).join('---\n'));
  }

  remove(file: string): void {
    rmSync(this.path(file));
  }

  /** Commits every change in the work tree; returns the new revision. */
  commit(message: string): string {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  /** Reverts the last commit with a new one, as `git revert` does; returns the new revision. */
  revert(): string {
    this.git('revert', '--no-edit', 'HEAD');
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  private replaceIn(file: string, from: string, to: string): void {
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(from, to));
  }

  private git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      // The user's git configuration (signing, hooks) has no say in the fork.
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_EDITOR: 'true',
        GIT_AUTHOR_NAME: 'K8TRE e2e',
        GIT_AUTHOR_EMAIL: 'e2e@k8tre.invalid',
        GIT_COMMITTER_NAME: 'K8TRE e2e',
        GIT_COMMITTER_EMAIL: 'e2e@k8tre.invalid',
      },
    });
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile() && file.endsWith('.yaml'));
}
