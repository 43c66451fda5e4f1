/**
 * KITTI calibration files (`calib_cam_to_cam.txt`): `key: v1 v2 ...` lines. The rectified
 * projection P_rect_0X = [fx 0 cx tx; 0 fy cy ty; 0 0 1 tz] gives the intrinsics of camera X
 * (02 = left colour, 03 = right colour) in the rectified images the datasets use.
 */
import { DepthblocksError, type Intrinsics } from '@depthblocks/core';

/** Parsed calibration: key -> numbers. Non-numeric values (e.g. `calib_time`) are left out. */
export type KittiCalib = Record<string, number[]>;

/**
 * Parses a KITTI calib text.
 *
 * @example
 * parseKittiCalib('P_rect_02: 721.5 0 609.6 44.9 0 721.5 172.9 0.2 0 0 1 0.003')['P_rect_02'][0]; // 721.5
 */
export function parseKittiCalib(text: string): KittiCalib {
  const out: KittiCalib = {};
  for (const raw of text.split(/\r?\n/)) {
    const colon = raw.indexOf(':');
    if (colon < 0) continue;
    const key = raw.slice(0, colon).trim();
    const values = raw
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    if (key && values.length > 0 && values.every(Number.isFinite)) out[key] = values;
  }
  return out;
}

/**
 * Intrinsics of rectified camera 2 (left colour) or 3 (right colour) from P_rect_02 / P_rect_03,
 * plus the camera's horizontal offset from camera 0 in metres (`-P[0][3] / fx`).
 *
 * @example
 * const k = kittiIntrinsics(parseKittiCalib(text), 2); // { fx: 721.5377, fy: 721.5377, cx: 609.5593, cy: 172.854, ... }
 */
export function kittiIntrinsics(calib: KittiCalib, camera: 2 | 3, source = 'calib_cam_to_cam.txt'): Intrinsics & { offsetX: number } {
  const key = `P_rect_0${camera}`;
  const p = calib[key];
  if (!p || p.length !== 12) {
    throw new DepthblocksError(
      'INVALID_DATA',
      `${source}: expected ${key} with 12 numbers, got ${p ? p.length : 'none'}; is this calib_cam_to_cam.txt?`,
      {
        path: source,
      },
    );
  }
  return { fx: p[0], fy: p[5], cx: p[2], cy: p[6], offsetX: -p[3] / p[0] };
}
