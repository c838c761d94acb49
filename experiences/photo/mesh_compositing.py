"""Putting a visitor's face into a base portrait, driven by both faces' 468-point meshes.

Why this and not a feathered oval (experiences/photo/compositing.py, still the fallback when a
face has no landmarks): an oval carries whatever lies inside it — the visitor's
background at the chin, their hair at the temples, their head tilt — and its colour
match is one shift for the whole oval, so the face reads as a decal. Here:

1. **Warp**: the base face's landmarks are triangulated (Delaunay, once per base image)
   and every triangle of the base takes its pixels from the same triangle of the
   visitor's mesh (piecewise affine, done as one `cv2.remap`). The visitor's features
   land on the base's face geometry: their head tilt and turn are not kept, the base's
   pose is.
2. **Mask**: from the top of the brows down to the jaw line, inside the base's face
   outline, shrunk by the feather's width so the soft edge stays inside the face. Only
   pixels of the visitor's inner face can get in: no background, no hair. The base keeps
   its hair, hat, hands and outline.
3. **Colour and light**: the warped face's Lab mean and spread are matched to the base's
   skin (the base's face skin and its neck, so the chin meets the neck in one colour),
   then its broad light (a heavily blurred lightness, computed on skin only) is replaced
   by the base's, so a portrait lit from one side lights the visitor from that side too.
4. **Blend** at the base's full resolution, in the face's window only.

Poisson blending (`cv2.seamlessClone`) over the face was tried and looked worse: it drags
the dark hairline into the face and bruises the eyes.

Landmarks are (468, 2) float arrays in MediaPipe's face-mesh order, image pixels
(experiences/photo/facemesh.py finds them).
"""

import functools
import hashlib

import cv2
import numpy as np

# Indices into MediaPipe's canonical face mesh. "Right"/"left" are the person's own.
LOWER_FACE_OUTLINE = (
    356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127,
)  # fmt: skip
RIGHT_BROW_TOP = (70, 63, 105, 66, 107)
LEFT_BROW_TOP = (336, 296, 334, 293, 300)
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
RIGHT_EYE_RING = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_RING = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
LIPS_OUTER = (
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
)  # fmt: skip
CHIN, FOREHEAD = 152, 10
RIGHT_CHEEK, LEFT_CHEEK = 234, 454
RIGHT_EYE_TOP, LEFT_EYE_TOP = 159, 386

# The brow line is raised by this share of the brow-to-eye distance, so whole brows come in.
BROW_LIFT = 0.35
# Feather width as a share of the face's width (cheek to cheek).
FEATHER_SHARE = 0.06
# How far the lightness spread may be scaled toward the base's: a flat painted face would
# otherwise flatten the visitor's own features.
LIGHTNESS_SPREAD_LIMITS = (0.8, 1.25)
CHROMA_SPREAD_LIMITS = (0.5, 1.6)
# How much of the base's broad light replaces the visitor's (1 = all of it).
BROAD_LIGHT_WEIGHT = 0.75
# Blur of the broad light, as a share of the face's width.
BROAD_LIGHT_SIGMA = 0.22

# Grain added to a face smoother than the base's skin: a fixed seed, blobs about this
# many pixels across (sigma).
GRAIN_SEED = 20260
GRAIN_SIZE = 1.2

_MASK_CACHE_SIZE = 64


def _width(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[LEFT_CHEEK] - landmarks[RIGHT_CHEEK]))


def mask_polygon(landmarks: np.ndarray) -> np.ndarray:
    """(N, 2) float32: the jaw line from cheek to cheek, closed across the top of the brows.

    The brow points are lifted away from the eyes (along the face's own up direction, so a
    tilted base face works too) so the whole brow is inside.
    """
    points = np.asarray(landmarks, np.float32)
    lower = points[list(LOWER_FACE_OUTLINE)]
    brows = []
    for brow, eye_top in ((RIGHT_BROW_TOP, RIGHT_EYE_TOP), (LEFT_BROW_TOP, LEFT_EYE_TOP)):
        top = points[list(brow)]
        lift = top - points[eye_top]
        brows.append(top + lift * BROW_LIFT)
    # Order round the face: outline runs from the image's right cheek under the chin to the
    # left cheek; the brows then close it from left to right.
    upper = np.concatenate(brows)
    upper = upper[np.argsort(upper[:, 0])]
    return np.concatenate([lower, upper]).astype(np.float32)


def face_hull(landmarks: np.ndarray) -> np.ndarray:
    """The convex hull (int32 contour) of all 468 points: the face as the mesh sees it."""
    return cv2.convexHull(np.round(np.asarray(landmarks)).astype(np.int32))


def window(landmarks: np.ndarray, shape: tuple[int, int], margin: float = 0.0) -> tuple:
    """(x0, y0, x1, y1): the mask polygon's bounding box, with a margin, inside the image."""
    polygon = mask_polygon(landmarks)
    pad = round(margin) + 2
    x0, y0 = np.floor(polygon.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + pad + 1
    height, width = shape
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


class _BaseGeometry:
    """What only depends on the base face: its window, triangles, per-pixel triangle
    index and feathered mask. Worked out once per base image and kept (see `_geometry`)."""

    def __init__(self, landmarks: np.ndarray, shape: tuple[int, int]) -> None:
        self.landmarks = np.asarray(landmarks, np.float32)
        width = _width(self.landmarks)
        self.feather = max(2.0, width * FEATHER_SHARE)
        self.window = window(self.landmarks, shape, margin=self.feather)
        x0, y0, x1, y1 = self.window
        size = (y1 - y0, x1 - x0)
        local = (self.landmarks - (x0, y0)).astype(np.float32)
        self.triangles = _delaunay(local, size)
        self.triangle_index = np.full(size, -1, np.int32)
        for number, triangle in enumerate(self.triangles):
            cv2.fillConvexPoly(
                self.triangle_index, np.round(local[triangle]).astype(np.int32), int(number)
            )
        polygon = np.round(mask_polygon(self.landmarks) - (x0, y0)).astype(np.int32)
        hard = np.zeros(size, np.uint8)
        cv2.fillPoly(hard, [polygon], 255)
        radius = round(self.feather)
        # Shrunk by the feather's reach first, so the soft edge lies inside the face.
        shrunk = cv2.erode(
            hard, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
        )
        mask = cv2.GaussianBlur(shrunk.astype(np.float32) / 255, (0, 0), radius / 2)
        mask[self.triangle_index < 0] = 0  # nothing the warp does not cover
        self.mask = mask
        self.mask.flags.writeable = False
        self.skin = _skin_region(local, size, mask > 0.5)
        self.skin_u8 = self.skin.astype(np.uint8)  # the same, as OpenCV's masks want it
        self.skin_weights = self.skin.astype(np.float32)
        self.neck = _neck_region(local, size)
        self.base_skins: dict[bytes, _BaseSkin] = {}  # see `_base_skin`


def _delaunay(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(T, 3) landmark indices of a Delaunay triangulation of `points` (window pixels)."""
    height, width = size
    margin = 4096  # points outside the window (a face at the image edge) still triangulate
    subdiv = cv2.Subdiv2D((-margin, -margin, width + 2 * margin, height + 2 * margin))
    lookup = {}
    for index, (x, y) in enumerate(points):
        key = (float(x), float(y))
        if key not in lookup:
            lookup[key] = index
            subdiv.insert(key)
    triangles = []
    for x0, y0, x1, y1, x2, y2 in subdiv.getTriangleList():
        corners = [lookup.get((float(x), float(y))) for x, y in ((x0, y0), (x1, y1), (x2, y2))]
        if None not in corners:
            triangles.append(corners)
    return np.array(triangles, np.int32).reshape(-1, 3)


def _polygon_mask(points: np.ndarray, size: tuple[int, int], grow: int = 0) -> np.ndarray:
    mask = np.zeros(size, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def _skin_region(local: np.ndarray, size: tuple[int, int], inside: np.ndarray) -> np.ndarray:
    """Inside the mask, less the eyes, brows and lips: the pixels whose colour is skin."""
    grow = max(1, int(_width(local) * 0.02))
    features = np.zeros(size, bool)
    for ring in (RIGHT_EYE_RING, LEFT_EYE_RING, RIGHT_BROW, LEFT_BROW, LIPS_OUTER):
        features |= _polygon_mask(cv2.convexHull(local[list(ring)])[:, 0], size, grow)
    return inside & ~features


def _neck_region(local: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A band under the chin, half the jaw's width: where a portrait shows its neck. Its
    pixels count toward the base's skin colour only if they look like that skin (a collar
    or a beard does not), see `_base_skin_pixels`."""
    chin = local[CHIN]
    width = _width(local)
    down = chin - local[FOREHEAD]
    down /= max(1e-6, float(np.linalg.norm(down)))
    across = np.array([-down[1], down[0]])
    start, end = chin + down * width * 0.08, chin + down * width * 0.35
    corners = [start - across * width * 0.22, start + across * width * 0.22]
    corners += [end + across * width * 0.22, end - across * width * 0.22]
    return _polygon_mask(np.array(corners), size)


@functools.lru_cache(maxsize=_MASK_CACHE_SIZE)
def _cached_geometry(key: bytes, shape: tuple[int, int], landmark_bytes: bytes) -> _BaseGeometry:
    landmarks = np.frombuffer(landmark_bytes, np.float32).reshape(-1, 2)
    return _BaseGeometry(landmarks, shape)


def _geometry(landmarks: np.ndarray, shape: tuple[int, int]) -> _BaseGeometry:
    data = np.ascontiguousarray(landmarks, np.float32).tobytes()
    return _cached_geometry(hashlib.blake2b(data, digest_size=16).digest(), tuple(shape), data)


def warp_face(face: np.ndarray, face_landmarks: np.ndarray, geometry: _BaseGeometry) -> np.ndarray:
    """The visitor's face resampled onto the base face's triangles, in the base's window.

    Each base triangle has the affine map taking it to the visitor's triangle; every
    window pixel looks up the map of the triangle it lies in, and one `remap` samples the
    visitor's photo there.
    """
    x0, y0, _, _ = geometry.window
    dst = (geometry.landmarks - (x0, y0)).astype(np.float32)
    src = np.asarray(face_landmarks, np.float32)
    triangles = geometry.triangles
    # Per triangle: [x, y, 1] in the window → x, y in the visitor's photo (2×3), solved at once.
    dst_corners = np.concatenate(
        [dst[triangles], np.ones((len(triangles), 3, 1), np.float32)], axis=2
    )
    src_corners = src[triangles]
    determinants = np.linalg.det(dst_corners)
    usable = np.abs(determinants) > 1e-6
    maps = np.zeros((len(triangles), 3, 2), np.float32)
    maps[usable] = np.linalg.solve(dst_corners[usable], src_corners[usable])
    index = geometry.triangle_index
    inside = index >= 0
    rows, cols = np.nonzero(inside)
    chosen = maps[index[inside]]
    map_x = np.zeros(index.shape, np.float32)
    map_y = np.zeros(index.shape, np.float32)
    map_x[inside] = cols * chosen[:, 0, 0] + rows * chosen[:, 1, 0] + chosen[:, 2, 0]
    map_y[inside] = cols * chosen[:, 0, 1] + rows * chosen[:, 1, 1] + chosen[:, 2, 1]
    return cv2.remap(face, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _base_skin_pixels(lab: np.ndarray, geometry: _BaseGeometry) -> np.ndarray:
    """The base's face skin plus the neck pixels coloured like it (within 2.5 spreads)."""
    face = lab[geometry.skin]
    neck = lab[geometry.neck & (geometry.mask < 0.05)]
    if len(face) < 16:
        return face
    mean, spread = face.mean(axis=0), face.std(axis=0) + 4
    neck = neck[(np.abs(neck - mean) / spread < 2.5).all(axis=1)]
    return np.concatenate([face, neck])


def _masked_blur(values: np.ndarray, weights: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of `values` over the pixels where `weights` > 0 only (normalised
    convolution), done at a quarter of the size: only the broad light is wanted."""
    height, width = values.shape
    small = (max(1, width // 4), max(1, height // 4))
    v = cv2.resize(values * weights, small, interpolation=cv2.INTER_AREA)
    w = cv2.resize(weights, small, interpolation=cv2.INTER_AREA)
    v = cv2.GaussianBlur(v, (0, 0), sigma / 4)
    w = cv2.GaussianBlur(w, (0, 0), sigma / 4)
    blurred = v / np.maximum(w, 1e-4)
    return cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR)


class _BaseSkin:
    """What `match_skin` needs of the base's window, worked out once per base image: its
    skin's Lab mean and spread (None when too little skin shows), broad light and grain."""

    def __init__(self, base: np.ndarray, geometry: _BaseGeometry) -> None:
        lab = cv2.cvtColor(base, cv2.COLOR_RGB2LAB).astype(np.float32)
        skin = _base_skin_pixels(lab, geometry)
        self.enough = len(skin) >= 16
        self.mean, self.std = skin.mean(axis=0), skin.std(axis=0)
        sigma = _width(geometry.landmarks) * BROAD_LIGHT_SIGMA
        self.light = _masked_blur(lab[..., 0], geometry.skin.astype(np.float32), sigma)
        self.grain = float(_fine_detail(lab[..., 0])[geometry.skin].std())


def _base_skin(base: np.ndarray, geometry: _BaseGeometry) -> _BaseSkin:
    """Kept with the base's geometry, keyed by a hash of the window's pixels (an image
    replaced under the same landmarks is never taken for the old one): every job on the
    same base image needs the same."""
    digest = hashlib.blake2b(np.ascontiguousarray(base).tobytes(), digest_size=16).digest()
    found = geometry.base_skins.get(digest)
    if found is None:
        if len(geometry.base_skins) >= 2:  # the old pixels are not coming back
            geometry.base_skins.clear()
        found = geometry.base_skins[digest] = _BaseSkin(base, geometry)
    return found


def _skin_stats(lab: np.ndarray, skin_u8: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """(pixel count, Lab mean, Lab standard deviation) of the pixels where skin_u8 is set,
    in one pass of OpenCV's (boolean indexing and numpy's mean/std take 3-4 passes)."""
    count = cv2.countNonZero(skin_u8)
    if count == 0:
        return 0, np.zeros(3), np.zeros(3)
    mean, std = cv2.meanStdDev(lab, mask=skin_u8)
    return count, mean.reshape(3), std.reshape(3)


def match_skin(warped: np.ndarray, base: np.ndarray, geometry: _BaseGeometry) -> np.ndarray:
    """The warped face (RGB, window-sized) in the base's skin colour and broad light."""
    base_skin = _base_skin(base, geometry)
    lab_face = cv2.cvtColor(warped, cv2.COLOR_RGB2LAB).astype(np.float32)
    count, face_mean, face_std = _skin_stats(lab_face, geometry.skin_u8)
    if count < 16 or not base_skin.enough:
        return warped
    ratio = base_skin.std / (face_std + 1e-3)
    ratio[0] = np.clip(ratio[0], *LIGHTNESS_SPREAD_LIMITS)
    ratio[1:] = np.clip(ratio[1:], *CHROMA_SPREAD_LIMITS)
    # One multiply-add per pixel: (lab - face_mean) * ratio + base_mean.
    scale = ratio.astype(np.float32)
    offset = (base_skin.mean - face_mean * ratio).astype(np.float32)
    matched = lab_face * scale + offset
    # Broad light: the base's blurred skin lightness in place of the visitor's.
    sigma = _width(geometry.landmarks) * BROAD_LIGHT_SIGMA
    face_light = _masked_blur(matched[..., 0], geometry.skin_weights, sigma)
    matched[..., 0] += (base_skin.light - face_light) * BROAD_LIGHT_WEIGHT
    matched[..., 0] += _grain(base_skin.grain, matched[..., 0], geometry.skin)
    return cv2.cvtColor(np.clip(matched, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def _fine_detail(lightness: np.ndarray) -> np.ndarray:
    return lightness - cv2.GaussianBlur(lightness, (0, 0), 2.0)


def _grain(base_grain: float, face_lightness: np.ndarray, skin: np.ndarray):
    """Noise that gives the face the grain of the base's skin, or 0 if the face has more.

    A painted or printed portrait has a texture (brush grain, film grain) that a phone
    photo's smooth skin lacks: without it the face reads as pasted on even when its colour
    is right. The noise is fixed (seeded), so the same job gives the same picture.
    """
    face_grain = float(_fine_detail(face_lightness)[skin].std())
    if base_grain <= face_grain:
        return 0.0
    return _unit_grain(face_lightness.shape) * np.sqrt(base_grain**2 - face_grain**2)


@functools.lru_cache(maxsize=_MASK_CACHE_SIZE)
def _unit_grain(shape: tuple[int, int]) -> np.ndarray:
    """The seeded noise, blurred to grain size, with unit fine-detail spread (read-only:
    it depends on the window's size alone, so each size is made once)."""
    noise = np.random.default_rng(GRAIN_SEED).normal(0, 1, shape)
    noise = cv2.GaussianBlur(noise.astype(np.float32), (0, 0), GRAIN_SIZE)
    noise *= 1 / max(1e-6, float(_fine_detail(noise).std()))
    noise.flags.writeable = False
    return noise


def composite(
    face: np.ndarray,
    face_landmarks: np.ndarray,
    base: np.ndarray,
    base_landmarks: np.ndarray,
) -> np.ndarray:
    """The base portrait (RGB uint8, full resolution) with the visitor's inner face in it.

    `face` is the visitor's photo (or a crop of it) and `face_landmarks` their mesh in
    its pixels; `base_landmarks` the base face's mesh in the base's pixels.
    """
    geometry = _geometry(base_landmarks, base.shape[:2])
    x0, y0, x1, y1 = geometry.window
    window_pixels = base[y0:y1, x0:x1]
    warped = warp_face(face, face_landmarks, geometry)
    matched = match_skin(warped, window_pixels, geometry)
    result = base.copy()
    mask = geometry.mask
    result[y0:y1, x0:x1] = cv2.blendLinear(matched, window_pixels, mask, 1 - mask)
    return result


def blend_mask(base_landmarks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The full-size float mask `composite` blends with (for measuring, e.g. leaks)."""
    geometry = _geometry(base_landmarks, shape)
    x0, y0, x1, y1 = geometry.window
    full = np.zeros(shape, np.float32)
    full[y0:y1, x0:x1] = geometry.mask
    return full
