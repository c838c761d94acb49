"""The offline face detector: MediaPipe's face detector and 468-point face mesh, run by
OpenCV's DNN module (experiences/photo/facemesh.py).

Why it replaced Haar as the default: on real visitors' frames Haar missed tilted heads and
three-quarter views and took a lamp for a face, cost 56-68 ms of CPU per 1280×720 frame,
and gave no landmarks, so the job searched the face crop again with the eye cascade.
The mesh finds those faces, refuses what its face-presence score says is not a face, and
its landmarks and head pose are stored with the capture for the job and for the tablet's
guidance (experiences/photo/guidance.py). See bench/face_detection.py for the figures.
"""

import numpy as np
from PIL import Image

from experiences.photo import facemesh
from experiences.photo.facemesh import FaceObservation
from experiences.photo.faces import Box


class MeshFaceDetector:
    name = "local-mesh"

    def observe(self, image: Image.Image) -> list[FaceObservation]:
        """Every face the mesh confirms, largest first, with landmarks and pose."""
        return facemesh.detect_faces(
            np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        )

    def detect(self, image: Image.Image) -> list[Box]:
        return [Box.from_list(face.box) for face in self.observe(image)]
