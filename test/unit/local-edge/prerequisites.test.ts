import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrerequisites, parseJavaMajorVersion, parseNodeMajorVersion } from '../../../local/prerequisites';

describe('parseJavaMajorVersion', () => {
  it('reads the major of a modern OpenJDK version line', () => {
    assert.equal(parseJavaMajorVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment'), 17);
    assert.equal(parseJavaMajorVersion('java version "21" 2023-09-19 LTS'), 21);
    assert.equal(parseJavaMajorVersion('openjdk version "25-ea" 2025-09-16'), 25);
  });

  it('reads the legacy 1.x scheme as its minor (Java 8)', () => {
    assert.equal(parseJavaMajorVersion('java version "1.8.0_392"\nJava(TM) SE Runtime Environment'), 8);
  });

  it('returns undefined when there is no version line', () => {
    assert.equal(parseJavaMajorVersion('Error: could not find libjava.so'), undefined);
  });
});

describe('parseNodeMajorVersion', () => {
  it('reads the major with or without a leading v', () => {
    assert.equal(parseNodeMajorVersion('24.21.0'), 24);
    assert.equal(parseNodeMajorVersion('v20.19.1'), 20);
  });
});

describe('checkPrerequisites', () => {
  it('resolves on this machine (pinned Node 24, Java 17+)', async () => {
    await checkPrerequisites();
  });

  it('names the apt and brew commands when java is not on the PATH', async () => {
    await assert.rejects(checkPrerequisites({ javaCommand: '/nonexistent/bin/java' }), (e: Error) => {
      assert.match(e.message, /Java was not found/);
      assert.match(e.message, /sudo apt-get install -y openjdk-17-jre-headless/);
      assert.match(e.message, /brew install openjdk@17/);
      return true;
    });
  });

  it('rejects a Node older than 20 and says how to use the pinned one', async () => {
    await assert.rejects(checkPrerequisites({ nodeVersion: '18.20.4' }), (e: Error) => {
      assert.match(e.message, /Node\.js 20\+ is required, found 18\.20\.4/);
      assert.match(e.message, /node_modules\/\.bin/);
      return true;
    });
  });

  it('reports a Java that prints no version as unreadable', async () => {
    // `true` exits 0 and prints nothing: a broken or unexpected launcher.
    await assert.rejects(checkPrerequisites({ javaCommand: 'true' }), /Could not read the Java version/);
  });
});
