"""Demo sensor streams: the simulator and what runs it (HTTP, MQTT or in process)."""
