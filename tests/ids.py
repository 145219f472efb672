"""Valid 身份证号 for fixtures, built with the real check digit."""

from flowparty.parse import id_check_digit


def make_id(birth: str = "19800101", serial: int = 1, area: str = "511302", male: bool = True) -> str:
    """An 18-character 身份证号 with a correct check digit: birth as YYYYMMDD, serial 0–99."""
    first17 = f"{area}{birth}{serial % 100:02d}{1 if male else 2}"
    return first17 + id_check_digit(first17)
