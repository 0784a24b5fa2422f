import { describe, expect, it } from 'vitest';
import { parseWebcamReadout, summariseWebcam } from '../../../scripts/bench/webcam-readout';

describe("the Webcam screen's benchmark readout", () => {
  it('reads FPS, round trip, engine and grab as the page prints them', () => {
    expect(parseWebcamReadout('9.0 FPS round trip 131 ms engine 61 ms grab 5 ms frame 512×512')).toEqual({ fps: 9, roundTripMs: 131, engineMs: 61, grabMs: 5 });
    expect(parseWebcamReadout('  14.2 FPS\n round trip 88 ms\n engine – ms grab 3 ms frame –')).toEqual({ fps: 14.2, roundTripMs: 88, engineMs: undefined, grabMs: 3 });
    expect(parseWebcamReadout('Starting the camera…')).toBeUndefined();
  });

  it('summarises the samples as medians, transfer being the round trip the engine does not explain', () => {
    const s = summariseWebcam([
      '8.0 FPS round trip 140 ms engine 60 ms grab 6 ms frame 512×512',
      'garbage',
      '9.0 FPS round trip 130 ms engine 62 ms grab 5 ms frame 512×512',
      '10.0 FPS round trip 120 ms engine 64 ms grab 4 ms frame 512×512',
    ])!;
    expect(s.samples).toBe(3);
    expect(s.fps).toEqual({ median: 9, min: 8, max: 10 });
    expect(s).toMatchObject({ roundTripMs: 130, engineMs: 62, transferMs: 68, grabMs: 5 });
  });

  it('has no summary when no sample reads', () => {
    expect(summariseWebcam(['', 'engine ready'])).toBeUndefined();
  });
});
