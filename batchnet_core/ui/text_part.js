// A text of the page, shown from its drawing's trait `name` (see drawing.py, TextPart): the texts a change
// rewrites travel with its pictures in one message. Laid out as an ipywidgets HTML widget is
// (`widget-html`, its text in `widget-html-content`), so that the page's style and script treat it as one.
async function render({ model, el }) {
  el.classList.add("widget-inline-hbox", "widget-html");
  const content = document.createElement("div");
  content.className = "widget-html-content";
  el.appendChild(content);
  const name = model.get("name");
  const source = await model.widget_manager.get_model(model.get("source").replace(/^IPY_MODEL_/, ""));
  let shown = null;
  const show = () => {
    const html = source.get(name) ?? "";
    if (html !== shown) {
      shown = html;
      content.innerHTML = html;
    }
  };
  show();
  source.on(`change:${name}`, show);
  return () => source.off(`change:${name}`, show);
}

export default { render };
