/**
 * The colour tokens of styles/tokens.scss for code that cannot use SCSS: native <Map> markers and callouts, canvas
 * charts, inline colours chosen per record. Same names as the SCSS variables, camelCased; colors.spec.ts checks that
 * both files agree.
 */
export const COLOR = {
  primary: '#1a6fd1',
  success: '#176b2c',
  warning: '#a84800',
  danger: '#c62828',
  text: '#1b1f24',
  text2: '#454d57',
  line: '#d9dee5',
  card: '#ffffff',
  escalated: '#7b1fa2',
  lineSoft: '#eef1f5',
  chartA: '#e8833a',
  chartB: '#2e9e5b',
  bg: '#f1f4f8',
  publicity: '#c25400',
  fieldwork: '#6a3fb5',
  places: '#00796b',
  ink: '#111111',
  boundary: '#2e7d5b',
} as const;
