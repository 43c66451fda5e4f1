/** Writing run outputs: an SVG and its PNG rendering (models' writer: text as outlines from a bundled font). */
export { writeSvgAndPng } from '@depthblocks/models';
