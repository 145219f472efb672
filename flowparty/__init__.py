"""flowparty：党支部流动党员台账。"""

__version__ = "0.1.0"
