/** Small DOM helpers the page's modules share. */

/** The element with this id (the page's HTML has every one the code asks for). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Shows a status line; errors in red. */
export function setStatus(id: string, text: string, error = false): void {
  const el = byId(id);
  el.textContent = text;
  el.classList.toggle('error', error);
}

/** Offers bytes as a file download. */
export function download(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Calls `onFiles` with the files dropped on `zone` (and highlights it while files hover). */
export function onDrop(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

/** An error as one line for a status (the engine's errors keep their DepthblocksError code). */
export function describeError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return `${err?.code ? `[${err.code}] ` : ''}${err?.message ?? String(e)}`;
}
