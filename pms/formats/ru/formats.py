# дд.мм.гггг, as Russian documents write dates; 8 digits without dots for
# phones, whose numeric keypad may have no dot ("29112026").
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%d%m%Y"]
