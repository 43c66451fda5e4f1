/**
 * The 3D point-cloud view, with three.js (loaded with this module, on the first prediction): the very PLY file the
 * download button offers, read by three's PLYLoader, drawn as coloured points, turned with OrbitControls.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';

let view: { renderer: THREE.WebGLRenderer; scene: THREE.Scene; camera: THREE.PerspectiveCamera; controls: OrbitControls } | null = null;

function setUp(container: HTMLElement): NonNullable<typeof view> {
  const renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.setSize(container.clientWidth, container.clientHeight);
  container.append(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x111111);
  const camera = new THREE.PerspectiveCamera(60, container.clientWidth / container.clientHeight, 0.01, 1000);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.addEventListener('change', () => renderer.render(scene, camera));
  return { renderer, scene, camera, controls };
}

/**
 * Shows a binary PLY point cloud in camera coordinates (x right, y down, z forward, metres), seen from the
 * photo's camera turned a little, orbiting around the middle of the cloud.
 *
 * @example
 * showCloud(document.getElementById('cloud-view')!, plyBytes, 63);
 */
export function showCloud(container: HTMLElement, ply: Uint8Array, verticalFovDegrees: number): void {
  view ??= setUp(container);
  const { renderer, scene, camera, controls } = view;
  for (const old of [...scene.children]) {
    scene.remove(old);
    if (old instanceof THREE.Points) {
      old.geometry.dispose();
      (old.material as THREE.Material).dispose();
    }
  }
  const buffer = ply.buffer.slice(ply.byteOffset, ply.byteOffset + ply.byteLength) as ArrayBuffer;
  const geometry = new PLYLoader().parse(buffer);
  geometry.scale(1, -1, -1); // camera frame (y down, z forward) to three's (y up, looking down -z)
  geometry.computeBoundingSphere();
  const material = new THREE.PointsMaterial({ size: 2, sizeAttenuation: false, vertexColors: geometry.hasAttribute('color') });
  scene.add(new THREE.Points(geometry, material));
  const centre = geometry.boundingSphere?.center ?? new THREE.Vector3(0, 0, -2);
  camera.fov = verticalFovDegrees;
  camera.position.set(centre.z * -0.35, centre.z * -0.2, 0); // from beside the photo's camera, so the depth shows
  camera.updateProjectionMatrix();
  controls.target.copy(centre);
  controls.update();
  renderer.render(scene, camera);
}
