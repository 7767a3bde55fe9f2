import { buildWidget } from './build.ts';

/** Browser tests and /widget.js tests load the real bundle: build it from the current source once per run. */
export default async function setup() {
  await buildWidget();
}
