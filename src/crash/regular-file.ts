import { statSync } from 'node:fs';

/**
 * What `path` is when it is not a regular file (symlinks followed), in words — `a folder`, `a FIFO (named pipe)`,
 * `a character device` … —, else undefined. A file argument is checked before it is read: reading a FIFO waits for
 * a writer for ever, and a device such as /dev/zero never ends (`check` hung, `litmus` aborted out of memory).
 * Throws what statSync throws (ENOENT …), for the caller's own message.
 */
export function notARegularFile(path: string): string | undefined {
  const st = statSync(path);
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}
