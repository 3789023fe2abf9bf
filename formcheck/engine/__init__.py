"""The analysis core: pure functions and a small state machine over (timestamp, pose).

It never sees images or widgets: inputs are numpy pose arrays and times in ms.
"""
