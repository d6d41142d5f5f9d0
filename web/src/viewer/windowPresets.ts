/** Window/level presets in HU (width, centre): the usual radiology settings. */
export const windowPresets: Record<string, { width: number; center: number }> = {
  'soft-tissue': { width: 400, center: 40 },
  lung: { width: 1500, center: -600 },
  bone: { width: 1800, center: 400 },
  brain: { width: 80, center: 40 },
};

/** The preset the viewer opens with. */
export const defaultWindowPreset = 'soft-tissue';
