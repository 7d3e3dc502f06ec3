// Python strftime directives for the chat-template global strftime_now (C locale names).
import { describe, expect, test } from "bun:test";
import { strftime } from "../../../src/kvcache/tokenize/strftime.ts";

describe("strftime", () => {
  test("formats every supported directive like Python in the C locale", () => {
    const friday = new Date(2025, 2, 7, 9, 5, 3);
    expect(strftime(friday, "%a %A %b %B %d %H %I %j %m %M %p %S %y %Y %%")).toBe(
      "Fri Friday Mar March 07 09 09 066 03 05 AM 03 25 2025 %",
    );
  });

  test("uses a 12-hour clock with 12 at noon and midnight", () => {
    expect(strftime(new Date(2024, 11, 31, 0, 0, 0), "%I %p %j")).toBe("12 AM 366");
    expect(strftime(new Date(2024, 0, 1, 12, 30, 0), "%I %p %j")).toBe("12 PM 001");
    expect(strftime(new Date(2024, 0, 1, 21, 0, 0), "%I %p")).toBe("09 PM");
  });

  test("passes unsupported directives and plain text through", () => {
    expect(strftime(new Date(2025, 0, 2), "Today is %d %b %Y (%Q)")).toBe("Today is 02 Jan 2025 (%Q)");
  });
});
