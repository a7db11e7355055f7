# get_render_job: a contact sheet of a finished job's frames, as one PNG:
# up to a dozen frames scaled to thumbnails on a grid, in frame order,
# left to right and top to bottom.
import numpy as np

THUMB_WIDTH = 160
paths = args["paths"]
columns = min(4, len(paths))
thumbs = []
for path in paths:
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    pixels = pixels.reshape(height, width, 4)
    scale = min(1.0, THUMB_WIDTH / width)
    rows = (np.arange(max(1, int(height * scale))) / scale).astype(int)
    cols = (np.arange(max(1, int(width * scale))) / scale).astype(int)
    thumbs.append(pixels[rows][:, cols])
tile_h = max(t.shape[0] for t in thumbs)
tile_w = max(t.shape[1] for t in thumbs)
grid_rows = -(-len(thumbs) // columns)
sheet = np.zeros((grid_rows * tile_h, columns * tile_w, 4), dtype=np.float32)
sheet[..., 3] = 1.0
for i, thumb in enumerate(thumbs):
    # Blender's pixel rows run bottom to top.
    top = (grid_rows - 1 - i // columns) * tile_h
    left = (i % columns) * tile_w
    sheet[top : top + thumb.shape[0], left : left + thumb.shape[1]] = thumb
image = bpy.data.images.new("farm_contact_sheet", sheet.shape[1], sheet.shape[0], alpha=True)
try:
    image.pixels.foreach_set(sheet.ravel())
    image.filepath_raw = args["output"]
    image.file_format = "PNG"
    image.save()
finally:
    bpy.data.images.remove(image)
result = {"path": args["output"], "width": int(sheet.shape[1]), "height": int(sheet.shape[0])}
