// What a form that only validates does with aivideo/validate: every bundler's build of it must
// give these results. Returns { count, failures }.
export function checks({ validatePayload, estimateCredits, modelNames }, label) {
  let count = 0;
  const failures = [];
  const check = (cond, what, got) => {
    count++;
    if (!cond) failures.push(`${label}: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got).slice(0, 300)}`}`);
  };
  try {
    const good = validatePayload("t2v", { prompt: "a fox", aspectRatio: "16:9", duration: "5" });
    check(good.ok === true && good.estimate.credits === 15, "accepts and estimates", good);
    const bad = validatePayload("t2v", { prompt: "x", aspectRatio: "4:3", duration: 5 });
    check(bad.ok === false && bad.issues.map((i) => i.path).join() === "aspectRatio,duration", "reports every problem", bad);
    const image = `data:image/png;base64,iVBORw0KGgo${"A".repeat(100000 - 11)}`;
    const media = validatePayload("i2v", { image, duration: "5" });
    check(media.ok && media.media[0].bytes === 75000 && media.payload.image === image, "a long data URI, checked and kept", media.media);
    check(estimateCredits("t2v_v3", { prompt: "x", aspectRatio: "1:1", duration: "20" }).credits > 0, "estimateCredits");
    check(modelNames().length === 9, "nine models", modelNames());
  } catch (e) {
    failures.push(`${label}: threw ${e && e.stack}`);
  }
  return { count, failures };
}
