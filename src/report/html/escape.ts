/** Text and attribute values for HTML (and the SVG inside it). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A pixel coordinate: integers and tenths only, so output is stable across platforms. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}
