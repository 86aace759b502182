/**
 * The generator reads and writes only inside the project root, and never through a symbolic link:
 * a spec linked to `/proc/self/environ` or a linked output folder would otherwise let a checked-in
 * file read or write anywhere. Every path a user, a config file or a glob names is checked here.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What is wrong with a path, as a diagnostic says it. */
export interface PathProblem {
  rule: string;
  message: string;
  hint: string;
}

/** The project root with every link in it resolved (the root itself may be reached through one). */
export function realRoot(root: string): string {
  return fs.realpathSync.native(path.resolve(root));
}

/** The root itself or anything under it. */
export function isWithin(root: string, absolute: string): boolean {
  const relative = path.relative(root, absolute);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Lexically outside the root (`../x`, `/etc/x`), or inside only through a linked folder. `file` is
 * relative to `from` (default: the root); `name` is how the diagnostic names it.
 */
export function outsideProblem(
  root: string,
  file: string,
  from = root,
  name = file,
): PathProblem | undefined {
  const absolute = path.resolve(from, file);
  const problem = {
    rule: 'io/outside-project',
    message: `'${name}' is outside the project folder`,
    hint: 'capgen reads and writes only inside the folder it runs in; copy the file into the project',
  };
  if (!isWithin(root, absolute)) return problem;
  // The deepest part of the path that exists must resolve inside the root too.
  let existing = absolute;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing)
    existing = path.dirname(existing);
  const real = fs.realpathSync.native(existing);
  return isWithin(root, real) ? undefined : problem;
}

/**
 * An input file (a spec, an OpenAPI document, a config): `undefined` when it is a regular file
 * inside the root, `'missing'` when there is nothing there, else the problem.
 */
export function inputFileProblem(root: string, file: string): PathProblem | 'missing' | undefined {
  const absolute = path.resolve(root, file);
  const stat = lstat(absolute);
  if (!stat) return outsideProblem(root, file) ?? 'missing';
  if (stat.isSymbolicLink())
    return {
      rule: 'io/symlink',
      message: `'${file}' is a symbolic link; capgen reads only regular files`,
      hint: 'replace the link with the file itself',
    };
  const outside = outsideProblem(root, file);
  if (outside) return outside;
  if (!stat.isFile())
    return {
      rule: 'io/not-a-file',
      message: `'${file}' is not a regular file`,
      hint: 'name a YAML or JSON file',
    };
  return undefined;
}

/**
 * Problems of the output folder, each with the path it is about (relative to the root): outside
 * the root or the root itself, reached through a linked folder, a link itself, or holding a link
 * or anything other than files and folders. An absent folder has none.
 */
export function outputFolderProblems(
  root: string,
  out: string,
): Array<{ file: string; problem: PathProblem }> {
  const absolute = path.resolve(root, out);
  if (absolute === root)
    return [
      {
        file: out,
        problem: {
          rule: 'io/outside-project',
          message: 'the output folder is the project folder itself',
          hint: 'name a folder inside the project, e.g. --out generated',
        },
      },
    ];
  if (!isWithin(root, absolute)) return [{ file: out, problem: outsideProblem(root, out)! }];
  // Every folder from the root down to the output folder must be a real folder.
  for (let dir = absolute; dir !== root; dir = path.dirname(dir)) {
    const stat = lstat(dir);
    if (stat?.isSymbolicLink())
      return [{ file: toPosix(path.relative(root, dir)), problem: linkProblem('output folder') }];
  }
  const outside = outsideProblem(root, out);
  if (outside) return [{ file: out, problem: outside }];
  const problems: Array<{ file: string; problem: PathProblem }> = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const file = toPosix(path.relative(root, full));
      if (entry.isSymbolicLink())
        problems.push({ file, problem: linkProblem('file in the output folder') });
      else if (entry.isDirectory()) walk(full);
      else if (!entry.isFile())
        problems.push({
          file,
          problem: {
            rule: 'io/not-a-file',
            message: `'${file}' in the output folder is neither a file nor a folder`,
            hint: 'remove it, or choose another output folder with --out',
          },
        });
    }
  };
  walk(absolute);
  return problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function linkProblem(what: string): PathProblem {
  return {
    rule: 'io/symlink',
    message: `the ${what} is a symbolic link; capgen never writes through one`,
    hint: 'replace the link with a real folder or file, or choose another output folder with --out',
  };
}

/** What is at `file` itself (a link is not followed), or undefined when nothing can be there. */
export function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
