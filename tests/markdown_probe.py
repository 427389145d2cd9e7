"""A page for tests/test_browser_security.py: hostile text through ``escape_markdown`` into every kind of Streamlit
element that draws Markdown. Run by ``streamlit run tests/markdown_probe.py``; ``?base=`` names the host the
samples would fetch from."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from tracker.outputs.text import escape_markdown  # noqa: E402


def samples(base: str) -> list[str]:
    """Markdown, HTML and Streamlit's own syntax that would fetch, link or format if drawn as written."""
    return [
        f"![x]({base}/image.png)",
        f"<img src='{base}/html.png'> & &amp; &#58; <b>b</b>",
        f"[l]({base}/link) [r][1] <{base}/angle>\n\n[1]: {base}/reference.png",
        f"{base}/bare www.example.com a@b.cn WWW.x.cn",
        ":red[红] :material/home: :smile: :blue-background[x] :small[s] :help[h] :streamlit: :+1:",
        "$x^2$ \\(y\\) $$z$$ `code` **b** _i_ ~~s~~ ==m==",
        "# h1\n- item\n1. one\n> quote\n    indented\n---\n| a | b |\n|---|---|",
        "绵阳市人社局（涪城区）：12.3% \\ back\\slash {curly} ^sup^ ~sub~",
    ]


base = st.query_params.get("base", "http://127.0.0.1:9")
for i, text in enumerate(samples(base)):
    shown = escape_markdown(text)
    st.markdown(shown)
    st.caption(shown)
    st.info(shown)
    st.subheader(shown, anchor=False)
    st.button(shown, key=f"button{i}", help=shown)
    st.download_button(shown, b"x", key=f"download{i}")
    st.selectbox(shown, ["a"], key=f"select{i}")
    st.radio("radio", [shown], key=f"radio{i}")
    st.checkbox(shown, key=f"check{i}")
    with st.expander(shown):
        st.write(shown)
