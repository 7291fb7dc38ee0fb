"""Every colour in a finished PDF turned from RGB to CMYK, for a printer's PDF/X.

WeasyPrint writes CSS colours as DeviceRGB operators (``rg``/``RG``) and images in their own
colour space.  A printer takes CMYK (or grey) only, so after WeasyPrint, with pikepdf:

- content streams (pages, form XObjects, tiling patterns, soft masks): ``rg``/``RG`` become
  ``k``/``K``, and ``sc``/``scn`` after a DeviceRGB or RGB ICC ``cs`` get four components;
- images in DeviceRGB, CalRGB, RGB ICC or an RGB-based Indexed space are converted through the
  CMYK output profile with Little CMS (Pillow's ImageCms), perceptual intent;
- axial and radial shadings with RGB interpolation functions get CMYK end points;
- transparency groups blend in DeviceCMYK.

Flat colours use grey-component replacement (k = 1 - max(r, g, b)), so grey and black text
prints on the black plate alone rather than as four-colour "rich black" that misregisters on
small type.  Both flat colours and images are then held to the target's total ink limit.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, ImageCms, ImageMath

from ..core.errors import BuildError

# The CMYK profile of the output intent, from a Debian package: Ghostscript's libgs-common
# ships Artifex's SWOP-based press profile.
CMYK_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)
PROFILE_PACKAGE = "libgs-common (apt-get install ghostscript)"
RGB_NAMES = ("/DeviceRGB", "/CalRGB")


def cmyk_profile() -> Path:
    for path in CMYK_PROFILES:
        if path.is_file():
            return path
    raise BuildError(f"no CMYK ICC profile for the print output intent; install {PROFILE_PACKAGE}")


def rgb_to_cmyk(r: float, g: float, b: float, ink_limit: int = 300) -> list[float]:
    """Grey-component replacement, then CMY reduced until C+M+Y+K is within ``ink_limit`` %."""
    k = 1 - max(r, g, b)
    if k >= 1:
        return [0.0, 0.0, 0.0, 1.0]
    c, m, y = ((1 - v - k) / (1 - k) for v in (r, g, b))
    limit = ink_limit / 100
    if c + m + y + k > limit and c + m + y:
        scale = max(0.0, limit - k) / (c + m + y)
        c, m, y = c * scale, m * scale, y * scale
    return [round(v, 4) for v in (c, m, y, k)]


def is_rgb(space: object) -> bool:
    """DeviceRGB, CalRGB, a 3-component ICC profile, or an Indexed space based on one."""
    if isinstance(space, pikepdf.Name):
        return str(space) in RGB_NAMES
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family in ("/CalRGB",):
            return True
        if family == "/ICCBased":
            return int(space[1].get("/N", 0)) == 3
        if family == "/Indexed":
            return is_rgb(space[1])
    return False


class Converter:
    def __init__(self, pdf: pikepdf.Pdf, ink_limit: int) -> None:
        self.pdf = pdf
        self.ink_limit = ink_limit
        self.seen: set[tuple[int, int]] = set()
        profile = ImageCms.getOpenProfile(str(cmyk_profile()))
        self.transform = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), profile, "RGB", "CMYK",
            renderingIntent=ImageCms.Intent.PERCEPTUAL)

    def run(self) -> None:
        for page in self.pdf.pages:
            self._group(page.obj)
            self._resources(page.obj.get("/Resources"))
            page.obj.Contents = self.pdf.make_stream(self._content(page.obj, page.obj.get(
                "/Resources")))

    def _once(self, obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in self.seen:
            return False
        self.seen.add(obj.objgen)
        return True

    def _group(self, obj: pikepdf.Object) -> None:
        group = obj.get("/Group")
        if group is not None and is_rgb(group.get("/CS")):
            group.CS = pikepdf.Name.DeviceCMYK

    def _resources(self, resources: pikepdf.Object | None) -> None:
        if resources is None:
            return
        for xobject in (resources.get("/XObject") or {}).values():
            if not self._once(xobject):
                continue
            if xobject.get("/Subtype") == "/Image":
                self._image(xobject)
            elif xobject.get("/Subtype") == "/Form":
                self._form(xobject)
        for pattern in (resources.get("/Pattern") or {}).values():
            if not self._once(pattern):
                continue
            if int(pattern.get("/PatternType", 0)) == 1:
                self._form(pattern)
            elif "/Shading" in pattern:
                self._shading(pattern.Shading)
        for shading in (resources.get("/Shading") or {}).values():
            if self._once(shading):
                self._shading(shading)
        for state in (resources.get("/ExtGState") or {}).values():
            mask = state.get("/SMask")
            if isinstance(mask, pikepdf.Dictionary) and "/G" in mask and self._once(mask.G):
                self._form(mask.G)
        spaces = resources.get("/ColorSpace") or {}
        for name in list(spaces.keys()):
            if is_rgb(spaces[name]) and str(spaces[name][0]) != "/Indexed":
                spaces[name] = pikepdf.Name.DeviceCMYK

    def _form(self, form: pikepdf.Object) -> None:
        self._group(form)
        resources = form.get("/Resources")
        # Named RGB spaces are replaced by _resources; read them before it does.
        data = self._content(form, resources)
        self._resources(resources)
        form.write(data)

    def _content(self, holder: pikepdf.Object, resources: pikepdf.Object | None) -> bytes:
        named = {str(k): is_rgb(v) for k, v in ((resources or {}).get("/ColorSpace") or {})
                 .items()}
        out: list = []
        fill_rgb = stroke_rgb = False
        stack: list[tuple[bool, bool]] = []
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op == "q":
                stack.append((fill_rgb, stroke_rgb))
            elif op == "Q" and stack:
                fill_rgb, stroke_rgb = stack.pop()
            elif op in ("rg", "RG"):
                operands = rgb_to_cmyk(*(float(v) for v in operands), self.ink_limit)
                operator = pikepdf.Operator("k" if op == "rg" else "K")
            elif op in ("cs", "CS"):
                name = str(operands[0])
                rgb = name in RGB_NAMES or named.get(name, False)
                if rgb:
                    operands = [pikepdf.Name.DeviceCMYK]
                if op == "cs":
                    fill_rgb = rgb
                else:
                    stroke_rgb = rgb
            elif op in ("sc", "scn", "SC", "SCN") and len(operands) == 3 and (
                    fill_rgb if op.islower() else stroke_rgb):
                operands = rgb_to_cmyk(*(float(v) for v in operands), self.ink_limit)
            out.append((operands, operator))
        return pikepdf.unparse_content_stream(out)

    def _image(self, image: pikepdf.Object) -> None:
        if not is_rgb(image.get("/ColorSpace")) or image.get("/ImageMask"):
            return
        picture = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
        cmyk = limit_ink(ImageCms.applyTransform(picture, self.transform), self.ink_limit)
        image.write(zlib.compress(cmyk.tobytes()), filter=pikepdf.Name.FlateDecode)
        image.ColorSpace = pikepdf.Name.DeviceCMYK
        image.BitsPerComponent = 8
        for key in ("/Decode", "/DecodeParms", "/Intent"):
            if key in image:
                del image[key]

    def _shading(self, shading: pikepdf.Object) -> None:
        if not is_rgb(shading.get("/ColorSpace")):
            return
        function = shading.get("/Function")
        if function is None or not self._function(function):
            raise BuildError("an RGB shading of a kind that cannot be converted to CMYK "
                             f"(ShadingType {shading.get('/ShadingType')})")
        shading.ColorSpace = pikepdf.Name.DeviceCMYK

    def _function(self, function: pikepdf.Object) -> bool:
        kind = int(function.get("/FunctionType", -1))
        if kind == 2:
            for key in ("/C0", "/C1"):
                values = [float(v) for v in function.get(key, [0, 0, 0] if key == "/C0"
                                                        else [1, 1, 1])]
                function[key] = pikepdf.Array(rgb_to_cmyk(*values, self.ink_limit))
            if "/Range" in function:
                function.Range = pikepdf.Array([0, 1] * 4)
            return True
        if kind == 3:
            return all(self._function(f) for f in function.Functions)
        return False


def limit_ink(image: Image.Image, ink_limit: int) -> Image.Image:
    """Reduce C, M and Y where C+M+Y+K exceeds ``ink_limit`` %, keeping K (the detail)."""
    c, m, y, k = image.split()
    limit = ink_limit * 255 / 100
    total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"],
                                  c=c, m=m, y=y, k=k)
    if total.getextrema()[1] <= limit:
        return image
    scaled = []
    for channel in (c, m, y):
        scaled.append(ImageMath.lambda_eval(
            lambda a: a["convert"](a["min"](a["x"] * 1.0, a["x"] * a["max"](
                limit - a["k"] * 1.0, 0.0) / a["max"](a["c"] + a["m"] + a["y"] * 1.0, 1.0)),
                "L"), x=channel, c=c, m=m, y=y, k=k))
    return Image.merge("CMYK", (*scaled, k))


def convert_to_cmyk(pdf: pikepdf.Pdf, ink_limit: int) -> None:
    Converter(pdf, ink_limit).run()


def icc_stream(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    data = cmyk_profile().read_bytes()
    stream = pdf.make_stream(data)
    stream.N = 4
    return stream


def profile_description() -> str:
    profile = ImageCms.getOpenProfile(io.BytesIO(cmyk_profile().read_bytes()))
    return ImageCms.getProfileDescription(profile).strip()
