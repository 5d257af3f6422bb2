/**
 * Model tags are user text ('best', 'final', 'epoch 3 ✓', even '../../x'): they are data, never
 * paths. Each snapshot gets a folder name made here from a safe slug of the tag plus a unique
 * suffix, and `artifacts/models/index.json` maps the tag to it (`store/modelIndex.ts` checks
 * every folder name read back with `isSafeFolderName`).
 */
import { ModelTagError } from 'trainbook/core';

/** Longest tag accepted, in characters (code points). */
export const MAX_TAG_LENGTH = 128;
/** Longest slug kept from a tag in its folder name, so paths stay short on every file system. */
const MAX_SLUG_LENGTH = 32;

/**
 * Returns the tag if it can be stored, else throws ModelTagError saying why.
 *
 * @example
 * checkTag('best');   // 'best'
 * checkTag('');       // throws ModelTagError
 */
export function checkTag(tag: unknown): string {
  if (typeof tag !== 'string') throw new ModelTagError(`A model tag must be a string, got ${typeof tag}. Use e.g. { tag: 'final' }.`);
  if (tag.trim().length === 0) throw new ModelTagError(`A model tag must not be empty. Use e.g. { tag: 'final' }.`);
  const length = [...tag].length;
  if (length > MAX_TAG_LENGTH) {
    throw new ModelTagError(`A model tag may have at most ${MAX_TAG_LENGTH} characters; this one has ${length}. Use a shorter tag.`);
  }
  return tag;
}

/**
 * The folder name for one snapshot of `tag`: a lowercase ASCII slug of the tag (or `model` when
 * nothing of it is ASCII) and `unique`, so every save gets a folder of its own and a snapshot is
 * replaced by switching the index, never by writing over files.
 *
 * @example
 * snapshotFolderName('Best val_loss!', 'lq3x9a1f');   // 'best-val_loss-lq3x9a1f'
 * snapshotFolderName('../../x', 'lq3x9a1f');          // 'x-lq3x9a1f'
 */
export function snapshotFolderName(tag: string, unique: string): string {
  const slug = tag
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents go, so 'Ünïcödé' reads as 'unicode'
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/[-_]+$/g, '');
  const suffix = unique.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 24) || '0';
  return `${slug || 'model'}-${suffix}`;
}
