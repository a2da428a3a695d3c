/** The tool version recorded in crash files (kept equal to package.json by a unit test). */
export const TOOL_VERSION = '0.1.0';
