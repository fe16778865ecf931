// One colour per pod, the same everywhere on the page, given in the order pods are first seen. The first eight are
// the Okabe–Ito palette (told apart with the common kinds of colour blindness); later pods get spread-out hues.

const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7a7a00', '#000000'];
const assigned = new Map();

export function podColour(pod) {
  const name = pod ?? 'unknown';
  if (!assigned.has(name)) {
    const index = assigned.size;
    assigned.set(name, index < PALETTE.length ? PALETTE[index] : `hsl(${(index * 137.5) % 360} 65% 45%)`);
  }
  return assigned.get(name);
}
