-- Many files in one pandoc run, each read or written on its own (render/batch.py runs it).
--
-- As a reader: the input is {"reader": FORMAT, "texts": [TEXT, ...]}; each text is read by
-- its own pandoc.read, so footnote labels, reference-link definitions and automatic heading
-- ids never cross from one file to another.  Each becomes one Div; its metadata goes into
-- meta["batch-meta"], and meta["batch-to"] tells the writer to write JSON.
--
-- As a writer: one document per top-level Div (with its metadata), each written by its own
-- pandoc.write with the writer options of the command line, framed as
-- "<length in characters>\n<text>" so that any text can follow any other.

function Reader(input, opts)
  local batch = pandoc.json.decode(tostring(input), false)
  local blocks, metas = {}, {}
  for i, text in ipairs(batch.texts) do
    local doc = pandoc.read(text, batch.reader, opts)
    blocks[i] = pandoc.Div(doc.blocks)
    metas[i] = doc.meta
  end
  return pandoc.Pandoc(blocks, {["batch-to"] = "json", ["batch-meta"] = metas})
end

function Writer(doc, opts)
  local to = pandoc.utils.stringify(doc.meta["batch-to"])
  local metas = doc.meta["batch-meta"] or {}
  local out = {}
  for i, div in ipairs(doc.blocks) do
    local text = pandoc.write(pandoc.Pandoc(div.content, metas[i] or {}), to, opts)
    out[i] = utf8.len(text) .. "\n" .. text
  end
  return table.concat(out)
end
