/** Result shapes shared by `predict`, the server and the UI; keep them stable. */

export interface TopClass {
  index: number;
  label: string;
  prob: number;
}

/** A detection in pixels of the original image. */
export interface Detection {
  label: string;
  classIndex: number;
  score: number;
  box: [number, number, number, number];
}

export interface FaceKeypoint {
  name: string;
  x: number;
  y: number;
}

export interface Face {
  score: number;
  box: [number, number, number, number];
  keypoints: FaceKeypoint[];
}

export interface OutputSummary {
  name: string;
  dims: number[];
  min: number;
  max: number;
  mean: number;
}

export interface ImagePrediction {
  image: string;
  width: number;
  height: number;
  top?: TopClass[];
  detections?: Detection[];
  faces?: Face[];
  embedding?: number[];
  extras?: Record<string, number[]>;
  outputs?: OutputSummary[];
}
