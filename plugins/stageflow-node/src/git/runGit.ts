import { execFile } from 'node:child_process';

/** A git command that exited with an error; carries no environment. */
export class GitCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | string | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(
      `git ${command} failed (${exitCode}): ${stderr
        .trim()
        .split('\n')
        .slice(-3)
        .join(' ')}`,
    );
    this.name = 'GitCommandError';
  }
}

// Variables that would make git act on another repository than the one the
// caller names, or prompt for input on a server.
const DROPPED_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_TRACE',
  'GIT_TRACE_CURL',
  'GIT_TRACE_PACKET',
  'GIT_CURL_VERBOSE',
];

function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DROPPED_VARIABLES) {
    delete env[name];
  }
  return {
    ...env,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    GIT_CONFIG_NOSYSTEM: '1',
    // `ext::` would run an arbitrary command; only transports are allowed.
    GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    GIT_SSH_COMMAND: env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
  };
}

// `-c key=value` pairs come first; the subcommand names the failure.
function commandName(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '-C') {
      i++;
    } else if (!args[i].startsWith('-')) {
      return args[i];
    }
  }
  return '';
}

/** Options of {@link runGit}. */
export interface RunGitOptions {
  cwd?: string;
  /** Added to the environment; how credentials reach git without argv. */
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs git without a shell, never prompting. Throws GitCommandError.
 */
export function runGit(
  args: string[],
  options: RunGitOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: { ...baseEnvironment(), ...options.env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as { code?: number | string }).code ?? null;
          reject(new GitCommandError(commandName(args), code, stderr, stdout));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (options.input !== undefined) {
      child.stdin?.end(options.input);
    } else {
      child.stdin?.end();
    }
  });
}
