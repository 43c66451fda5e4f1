/** The HDF5 file signature, checked on bytes (portable: no file system). */

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where HDF5 may put its superblock: offset 0, or after a user block (MATLAB writes 512 bytes) at 512, 1024, ... 1 MiB. */
export function* superblockOffsets(): Generator<number> {
  for (let off = 0; off <= 1 << 20; off = off === 0 ? 512 : off * 2) yield off;
}

/** True when the bytes hold the HDF5 signature at offset 0 or at a user-block offset. */
export function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (const off of superblockOffsets()) {
    if (off + 8 > bytes.length) return false;
    if (HDF5_SIGNATURE.every((b, i) => bytes[off + i] === b)) return true;
  }
  return false;
}
