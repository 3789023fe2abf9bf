"""The Streamlit UI (the only part of formcheck that imports streamlit); entry point
``streamlit_app.py``. Each page is a thin view over the shared Session/pipeline objects."""
