"""The mathematics, in a room of its own: the network's layers, its state, validation, numbers read and
written, the forward pass and training, in numpy and nothing else of batchnet's. Renderers (code,
notation, worksheet), lessons (exercises, steps, mini-batches, speed), the pages and the server live
above it and import it; it imports none of them (``tests/test_rooms.py`` walks every import).
"""
