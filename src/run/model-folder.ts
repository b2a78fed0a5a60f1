import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BamError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * A model folder belongs to one run. `owner.json` records which (the command and the settings that decide its
 * outputs); `.lock` (pid and host) marks a run in progress. A run may start only in a missing or empty folder, or in
 * one that its own settings own (resuming or repeating the same run); `overwrite` clears a folder held by another.
 */
export const OWNER_FILE = 'bam_owner.json';
export const LOCK_FILE = '.bam.lock';
const OWNER_FORMAT = 'bam-model-folder/1';

/** What a run is: the command and the settings that decide what it writes (not threads or logging). */
export interface RunIdentity {
  command: string;
  settings: Record<string, unknown>;
}

interface OwnerRecord {
  format: string;
  command: string;
  fingerprint: string;
  settings: Record<string, unknown>;
}

interface LockRecord {
  pid: number;
  host: string;
  started: string;
}

export interface ReleaseOptions {
  /** The run failed: a folder left holding nothing of it is removed. */
  failed?: boolean;
}

/** Sorted-key JSON, so that the fingerprint does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function identityFingerprint(identity: RunIdentity): string {
  return createHash('sha256').update(canonicalJson({ command: identity.command, settings: identity.settings })).digest('hex');
}

/** Whether a process of this host is alive (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJsonOrNull(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Takes the lock, or throws naming the run that holds it. A lock of a dead process of this host is stale and replaced. */
function takeLock(dir: string): string {
  const lock = join(dir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  // Written whole under a private name, then linked: the lock never exists half-written.
  const tmp = `${lock}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(tmp, lock);
        return lock;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = readJsonOrNull(lock);
      const pid = isRecord(held) && typeof held.pid === 'number' ? held.pid : NaN;
      const host = isRecord(held) && typeof held.host === 'string' ? held.host : '';
      const sameHost = host === mine.host;
      if (sameHost && !processAlive(pid)) {
        rmSync(lock, { force: true });
        continue;
      }
      const who = sameHost ? `process ${pid}` : `process ${pid} on host ${JSON.stringify(host)}`;
      throw new BamError(
        `${dir} is in use by another run (${who}, lock ${lock}); wait for it to finish, or choose another <model_name>` +
        `${sameHost ? '' : `; if no run is going on there, delete ${lock}`}`,
      );
    }
    throw new BamError(`${dir}: could not take the lock ${lock}; another run keeps taking it, choose another <model_name>`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Removes `<file>.tmp-<pid>` files, under the folder, of processes that are no longer alive (a killed run's). */
export function removeDeadTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const match = /\.tmp-(\d+)$/.exec(entry.name);
    if (!match || processAlive(Number(match[1]))) continue;
    const path = join(entry.parentPath, entry.name);
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** The folder's entries other than the lock and the owner record. */
function contents(dir: string): string[] {
  return readdirSync(dir).filter((name) => name !== LOCK_FILE && name !== OWNER_FILE);
}

/** The hparams in which two settings differ, for the refusal message. */
function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

/** Throws unless the folder is free for this run: the same run's, or holding nothing. */
function checkOwner(dir: string, identity: RunIdentity, fingerprint: string): void {
  const ownerPath = join(dir, OWNER_FILE);
  const choose = 'choose another <model_name>, or pass --overwrite to delete its contents and start afresh';
  if (existsSync(ownerPath)) {
    const owner = readJsonOrNull(ownerPath);
    if (!isRecord(owner) || owner.format !== OWNER_FORMAT || typeof owner.fingerprint !== 'string' || !isRecord(owner.settings)) {
      throw new BamError(`${ownerPath} is not a bam model-folder record, so ${dir} may hold another run's work; ${choose}`);
    }
    if (owner.fingerprint === fingerprint) return;
    const differs = owner.command === identity.command ? differingKeys(owner.settings, identity.settings) : [];
    const detail = owner.command !== identity.command
      ? `it was written by ${JSON.stringify(owner.command)}`
      : `its run had other settings${differs.length > 0 ? ` (${differs.slice(0, 6).map((k) => JSON.stringify(k)).join(', ')}${differs.length > 6 ? ', ...' : ''})` : ''}`;
    throw new BamError(`${dir} holds another run's outputs: ${detail}; ${choose}`);
  }
  const held = contents(dir);
  if (held.length > 0) {
    throw new BamError(`${dir} already holds files (${held.slice(0, 3).map((n) => JSON.stringify(n)).join(', ')}${held.length > 3 ? ', ...' : ''}) of an earlier run; ${choose}`);
  }
}

/**
 * Claims a model folder for a run: creates it when missing, takes its lock, removes the temporary files of killed
 * runs, checks that it is free for this run (clears it first with `overwrite`) and records the run as its owner.
 * Returns the release function, to be called when the run ends: it drops the lock and, after a failure that left
 * nothing but the owner record, removes the folder.
 */
export function claimModelFolder(dir: string, identity: RunIdentity, options: { overwrite: boolean }): (release?: ReleaseOptions) => void {
  mkdirSync(dir, { recursive: true });
  const lock = takeLock(dir);
  const fingerprint = identityFingerprint(identity);
  try {
    removeDeadTempFiles(dir);
    if (options.overwrite) {
      for (const name of [...contents(dir), OWNER_FILE]) rmSync(join(dir, name), { recursive: true, force: true });
    } else {
      checkOwner(dir, identity, fingerprint);
    }
    const record: OwnerRecord = { format: OWNER_FORMAT, command: identity.command, fingerprint, settings: identity.settings };
    writeFileAtomic(join(dir, OWNER_FILE), `${JSON.stringify(record, null, 2)}\n`);
  } catch (e) {
    unlinkSync(lock);
    throw e;
  }
  let released = false;
  return (release: ReleaseOptions = {}) => {
    if (released) return;
    released = true;
    rmSync(lock, { force: true });
    if (release.failed && existsSync(dir) && contents(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  };
}
