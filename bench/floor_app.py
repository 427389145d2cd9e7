"""The load benchmark's baseline (bench/load.py): a one-line Streamlit script, Streamlit's own floor for a rerun."""
import streamlit as st

st.title("floor")
